package com.clickstream.runner;

/**
 * A startup error with one human-readable message (file, statement, cause). It carries no cause and
 * no stack trace on purpose: the message is all an operator needs, and MSF logs show it as one line.
 */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message, null, false, false);
    }

    /** "sql/outputs/x.sql: statement 'INSERT INTO x': <root cause, first line>". */
    public static StartupException forStatement(SqlStatement statement, String what, Throwable cause) {
        return new StartupException(
                statement.file() + ": " + what + " '" + statement.firstLine() + "' failed: " + rootMessage(cause));
    }

    /**
     * The most specific message in the cause chain on one line: its lines joined with spaces, without
     * Flink's list of supported options (which follows the unsupported ones), at most 600 characters.
     */
    static String rootMessage(Throwable error) {
        String message = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        if (message == null) {
            return error.getClass().getSimpleName();
        }
        String one = String.join(" ", message.strip().lines().map(String::strip).filter(l -> !l.isEmpty())
                .takeWhile(l -> !l.startsWith("Supported options")).toArray(String[]::new));
        return one.length() > 600 ? one.substring(0, 597) + "..." : one;
    }
}
