package com.clickstream.runner;

import org.apache.flink.table.functions.ScalarFunction;

/**
 * IS_BLANK(s): TRUE when {@code s} is NULL, empty or only whitespace, where whitespace is what Java's
 * {@code Character.isWhitespace} accepts: space, tab, line feed, vertical tab, form feed, carriage
 * return, U+001C to U+001F, and the Unicode space, line and paragraph separators except the no-break
 * spaces U+00A0, U+2007 and U+202F. SQL's TRIM removes spaces only, so {@code "\t"} would pass it.
 */
public final class IsBlankFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    public boolean eval(String value) {
        return value == null || value.isBlank();
    }
}
