package com.clickstream.runner;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Finds the table name of a CREATE TABLE and appends a WITH (...) clause built from its options. */
public final class DdlRewriter {
    private DdlRewriter() {}

    /**
     * The (unqualified, unquoted) table name of {@code CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name},
     * or null if the statement is not a CREATE TABLE.
     */
    public static String createTableName(String sql) {
        int i = SqlText.skipSpaceAndComments(sql, 0);
        int[] end = new int[1];
        String w = SqlText.readIdentifier(sql, i, end);
        if (w == null || !w.equalsIgnoreCase("CREATE")) return null;
        i = SqlText.skipSpaceAndComments(sql, end[0]);
        w = SqlText.readIdentifier(sql, i, end);
        if (w != null && w.equalsIgnoreCase("TEMPORARY")) {
            i = SqlText.skipSpaceAndComments(sql, end[0]);
            w = SqlText.readIdentifier(sql, i, end);
        }
        if (w == null || !w.equalsIgnoreCase("TABLE")) return null;
        i = SqlText.skipSpaceAndComments(sql, end[0]);
        int save = i;
        w = SqlText.readIdentifier(sql, i, end);
        if (w != null && w.equalsIgnoreCase("IF") && sql.charAt(i) != '`') {
            i = SqlText.skipSpaceAndComments(sql, end[0]);
            String not = SqlText.readIdentifier(sql, i, end);
            if (not != null && not.toUpperCase(Locale.ROOT).equals("NOT")) {
                i = SqlText.skipSpaceAndComments(sql, end[0]);
                SqlText.readIdentifier(sql, i, end); // EXISTS
                i = SqlText.skipSpaceAndComments(sql, end[0]);
                w = SqlText.readIdentifier(sql, i, end);
            } else {
                i = save;
                w = SqlText.readIdentifier(sql, i, end);
            }
        }
        return w;
    }

    /** A single-quoted SQL string literal; single quotes inside are doubled. */
    public static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code WITH ('k1' = 'v1', 'k2' = 'v2')}, keys sorted for a stable, reviewable DDL. */
    public static String withClause(Map<String, String> options) {
        StringBuilder b = new StringBuilder("WITH (");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
            b.append(first ? "\n  " : ",\n  ").append(quote(e.getKey())).append(" = ").append(quote(e.getValue()));
            first = false;
        }
        return b.append("\n)").toString();
    }

    /** The DDL with the WITH clause appended on a new line (safe after a trailing line comment). */
    public static String appendWith(String ddl, Map<String, String> options) {
        return ddl.stripTrailing() + "\n" + withClause(options);
    }
}
