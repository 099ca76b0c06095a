package com.clickstream.runner;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** One statement of the SQL bundle: the file it came from and its text (no trailing ';'). */
public final class SqlStatement {
    public enum Kind { CREATE_TABLE, CREATE_VIEW, INSERT, OTHER }

    private final String file;
    private final String sql;

    public SqlStatement(String file, String sql) {
        this.file = Objects.requireNonNull(file, "file");
        this.sql = Objects.requireNonNull(sql, "sql");
    }

    public String file() { return file; }

    public String sql() { return sql; }

    /** The first line of the statement that is not blank and not a comment, trimmed. */
    public String firstLine() {
        String code = SqlText.stripLeadingComments(sql);
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }

    public Kind kind() {
        String[] words = SqlText.leadingWords(sql, 4);
        if (words.length == 0) return Kind.OTHER;
        String w0 = words[0].toUpperCase(Locale.ROOT);
        if (w0.equals("INSERT")) return Kind.INSERT;
        if (w0.equals("CREATE")) {
            for (int i = 1; i < words.length; i++) {
                String w = words[i].toUpperCase(Locale.ROOT);
                if (w.equals("TABLE")) return Kind.CREATE_TABLE;
                if (w.equals("VIEW")) return Kind.CREATE_VIEW;
                if (!w.equals("TEMPORARY") && !w.equals("OR") && !w.equals("REPLACE")) break;
            }
        }
        return Kind.OTHER;
    }

    /**
     * The table or view a CREATE TABLE / CREATE VIEW creates or an INSERT writes (last part of the name,
     * unquoted); null for other statements.
     */
    public String target() {
        Kind kind = kind();
        if (kind == Kind.OTHER) return null;
        String[] words = SqlText.leadingWords(sql, 8);
        for (int i = 1; i < words.length; i++) {
            String w = words[i].toUpperCase(Locale.ROOT);
            if (!List.of("TEMPORARY", "OR", "REPLACE", "TABLE", "VIEW", "IF", "NOT", "EXISTS", "INTO", "OVERWRITE").contains(w)) {
                return words[i];
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqlStatement && ((SqlStatement) o).file.equals(file) && ((SqlStatement) o).sql.equals(sql);
    }

    @Override
    public int hashCode() { return Objects.hash(file, sql); }

    @Override
    public String toString() { return file + ": " + firstLine(); }
}
