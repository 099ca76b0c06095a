package com.clickstream.runner;

import java.util.ArrayList;
import java.util.List;

/**
 * Small lexical helpers over Flink SQL text: they know string literals ('..' with '' escapes),
 * quoted identifiers (`..`), double-quoted strings, line comments (--) and block comments.
 */
public final class SqlText {
    private SqlText() {}

    /** Index of the first character that is neither whitespace nor inside a leading comment. */
    static int skipSpaceAndComments(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int eol = s.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    public static String stripLeadingComments(String s) {
        return s.substring(skipSpaceAndComments(s, 0));
    }

    /** The first {@code max} words (identifiers, possibly `quoted`), skipping comments. */
    static String[] leadingWords(String s, int max) {
        List<String> words = new ArrayList<>();
        int i = skipSpaceAndComments(s, 0);
        while (i < s.length() && words.size() < max) {
            int[] end = new int[1];
            String word = readIdentifier(s, i, end);
            if (word == null) break;
            words.add(word);
            i = skipSpaceAndComments(s, end[0]);
        }
        return words.toArray(new String[0]);
    }

    /**
     * Reads a (possibly dotted, possibly back-quoted) identifier at {@code i}; returns its last part
     * unquoted, and stores the end index in {@code end[0]}. Returns null if there is none.
     */
    static String readIdentifier(String s, int i, int[] end) {
        String last = null;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '`') {
                StringBuilder b = new StringBuilder();
                int j = i + 1;
                while (j < n) {
                    if (s.charAt(j) == '`') {
                        if (j + 1 < n && s.charAt(j + 1) == '`') { b.append('`'); j += 2; continue; }
                        break;
                    }
                    b.append(s.charAt(j++));
                }
                if (j >= n) return null;
                last = b.toString();
                i = j + 1;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '$')) j++;
                last = s.substring(i, j);
                i = j;
            } else {
                break;
            }
            if (i < n && s.charAt(i) == '.') { i++; } else { break; }
        }
        end[0] = i;
        return last;
    }

    /**
     * Splits a SQL file into statements on ';' outside literals and comments. Statements that hold
     * only comments and whitespace are dropped; the others are trimmed, without the ';'.
     */
    public static List<String> splitStatements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '`' || c == '"') {
                int j = i + 1;
                while (j < n) {
                    if (text.charAt(j) == c) {
                        if (j + 1 < n && text.charAt(j + 1) == c) { j += 2; continue; }
                        break;
                    }
                    j++;
                }
                j = Math.min(j + 1, n);
                cur.append(text, i, j);
                i = j;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int eol = text.indexOf('\n', i);
                int j = eol < 0 ? n : eol;
                cur.append(text, i, j);
                i = j;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int e = text.indexOf("*/", i + 2);
                int j = e < 0 ? n : e + 2;
                cur.append(text, i, j);
                i = j;
            } else if (c == ';') {
                add(out, cur.toString());
                cur.setLength(0);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur.toString());
        return out;
    }

    private static void add(List<String> out, String stmt) {
        if (skipSpaceAndComments(stmt, 0) < stmt.length()) {
            out.add(stmt.strip());
        }
    }
}
