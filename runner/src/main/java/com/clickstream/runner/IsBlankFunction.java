package com.clickstream.runner;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * IS_BLANK(s): TRUE when {@code s} is NULL, empty or only whitespace, where whitespace is what Java's
 * {@code Character.isWhitespace} accepts: space, tab, line feed, vertical tab, form feed, carriage
 * return, U+001C to U+001F, and the Unicode space, line and paragraph separators except the no-break
 * spaces U+00A0, U+2007 and U+202F. SQL's TRIM removes spaces only, so {@code "\t"} would pass it.
 *
 * <p>It reads Flink's internal string: a value with a byte that is ASCII and not whitespace (every valid
 * field's first byte) is answered from its UTF-8 bytes, without decoding it into a Java string.
 */
public final class IsBlankFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    public boolean eval(@DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData value) {
        if (value == null) return true;
        if (value instanceof BinaryStringData) {
            BinaryStringData s = (BinaryStringData) value;
            if (s.getJavaObject() != null) return s.getJavaObject().isBlank(); // not encoded: no bytes to read
            boolean ascii = true;
            for (int i = 0, n = s.getSizeInBytes(); i < n; i++) {
                byte b = s.byteAt(i);
                if (b < 0) ascii = false; // part of a multi-byte character: decided below
                else if (!Character.isWhitespace(b)) return false;
            }
            if (ascii) return true;
        }
        return value.toString().isBlank();
    }
}
