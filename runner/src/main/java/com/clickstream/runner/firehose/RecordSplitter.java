package com.clickstream.runner.firehose;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits the (already decompressed) bytes of one object that Kinesis Data Firehose delivered into the
 * records it was made of, one at a time, as UTF-8 strings (malformed bytes become U+FFFD). Pure: no Flink.
 *
 * <p>{@link Separator#NEWLINE}: one record per line, ended by {@code \n} or {@code \r\n}; blank lines
 * (empty, or only spaces, tabs and {@code \r}) are skipped; a last line without a newline is a record.
 *
 * <p>{@link Separator#NONE}: the producers' JSON values written back to back ({@code {...}{...}}, or with
 * whitespace between them). Depth is tracked over {@code {} []} outside strings (a string ends at an
 * unescaped {@code "}); a record ends when the depth returns to 0. Whitespace between values is skipped.
 * Any other text between values is collected up to the next {@code {} or {@code [} and emitted as its
 * own record (trimmed), so that it is rejected downstream instead of lost. At the end of the input, an
 * unfinished value is emitted as it is (it is not valid JSON, so it is rejected downstream too).
 *
 * <p>Size cap: a record is at most {@value #MAX_RECORD_BYTES} bytes (Firehose's own record limit is
 * 1,000 KiB, so only a broken value, such as one whose braces never balance, gets there). Beyond it,
 * the first {@value #MAX_RECORD_BYTES} bytes are emitted as a record (not valid JSON: rejected
 * downstream) and the rest is skipped: with {@code NEWLINE} up to the end of the line; with
 * {@code NONE} up to the next {@code {} that follows a {@code }} or starts a line (whitespace before it
 * allowed), where the next value starts. Valid compact JSON never has {@code }} then {@code {}, nor a
 * line starting with {@code {}, outside a string, so this finds the next record boundary without
 * trusting the depth count that went wrong; at worst (the pair inside a string) a fragment is emitted
 * and rejected. A value that follows the broken one directly ({@code ...xx{"next":1}}) cannot be told
 * apart from its inside and is skipped with it. {@link #oversizedRecords()} counts the caps.
 *
 * <p>A read that fails ({@link IOException}, e.g. a truncated or corrupt gzip stream) ends the input:
 * what was collected so far is emitted as a record, then {@link #next()} returns null and
 * {@link #failure()} returns the exception.
 */
public final class RecordSplitter {
    /** How records are separated in an object. */
    public enum Separator { NEWLINE, NONE }

    /** The longest record, in bytes (1 MiB). */
    public static final int MAX_RECORD_BYTES = 1_048_576;

    private final InputStream in;
    private final Separator separator;
    private final int maxRecordBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;
    private boolean end;
    private IOException failure;
    private byte[] record = new byte[1024];
    private int length;
    private long oversized;

    public RecordSplitter(InputStream in, Separator separator) {
        this(in, separator, MAX_RECORD_BYTES);
    }

    /** With a smaller cap, for tests. */
    RecordSplitter(InputStream in, Separator separator, int maxRecordBytes) {
        if (maxRecordBytes < 1) throw new IllegalArgumentException("maxRecordBytes " + maxRecordBytes);
        this.in = in;
        this.separator = separator;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The next record, or null at the end of the input (or after a failed read). */
    public String next() {
        return separator == Separator.NEWLINE ? nextLine() : nextValue();
    }

    /** The exception that ended the input early, or null. */
    public IOException failure() {
        return failure;
    }

    /** How many records were cut at the size cap so far. */
    public long oversizedRecords() {
        return oversized;
    }

    private String nextLine() {
        while (true) {
            length = 0;
            boolean any = false;
            boolean cut = false;
            int b;
            while ((b = peek()) >= 0) {
                pos++;
                any = true;
                if (b == '\n') break;
                if (length < maxRecordBytes) append(b);
                else cut = true;
            }
            if (!any) return null;
            if (length > 0 && record[length - 1] == '\r' && !cut) length--;
            if (cut) oversized++;
            if (!blank()) return emit();
        }
    }

    private String nextValue() {
        length = 0;
        boolean text = false; // collecting text that is not a value
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        while (true) {
            int b = peek();
            if (b < 0) {
                if (text) return trimmed();
                return length > 0 ? emit() : null;
            }
            if (depth == 0) {
                if (b == '{' || b == '[') {
                    if (text) return trimmed(); // the value starts with the next call
                    pos++;
                    append(b);
                    depth = 1;
                    continue;
                }
                if (!text && whitespace(b)) {
                    pos++;
                    continue;
                }
                if (length == maxRecordBytes) {
                    oversized++;
                    return emit(); // the rest of the text follows as another record
                }
                text = true;
                pos++;
                append(b);
                continue;
            }
            if (length == maxRecordBytes) {
                oversized++;
                int last = lastNonWhitespace();
                String r = emit();
                resync(last);
                return r;
            }
            pos++;
            append(b);
            if (inString) {
                if (escaped) escaped = false;
                else if (b == '\\') escaped = true;
                else if (b == '"') inString = false;
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) return emit();
            }
        }
    }

    /**
     * Skips to the next '{' that follows a '}' or starts a line (whitespace before it allowed);
     * {@code last}: the last byte that is not whitespace before the current position.
     */
    private void resync(int last) {
        boolean lineStart = false;
        int b;
        while ((b = peek()) >= 0) {
            if (b == '{' && (last == '}' || lineStart)) return;
            if (b == '\n') lineStart = true;
            else if (!whitespace(b)) {
                last = b;
                lineStart = false;
            }
            pos++;
        }
    }

    private int lastNonWhitespace() {
        for (int i = length - 1; i >= 0; i--) if (!whitespace(record[i] & 0xff)) return record[i] & 0xff;
        return -1;
    }

    private int peek() {
        if (pos < limit) return buffer[pos] & 0xff;
        if (end) return -1;
        try {
            int n;
            do {
                n = in.read(buffer, 0, buffer.length);
            } while (n == 0);
            if (n < 0) {
                end = true;
                return -1;
            }
            pos = 0;
            limit = n;
            return buffer[0] & 0xff;
        } catch (IOException e) {
            failure = e;
            end = true;
            return -1;
        }
    }

    private void append(int b) {
        if (length == record.length) record = Arrays.copyOf(record, Math.min(Math.max(16, record.length * 2), maxRecordBytes));
        record[length++] = (byte) b;
    }

    private boolean blank() {
        for (int i = 0; i < length; i++) if (!whitespace(record[i] & 0xff)) return false;
        return true;
    }

    private String trimmed() {
        int from = 0;
        int to = length;
        while (from < to && whitespace(record[from] & 0xff)) from++;
        while (to > from && whitespace(record[to - 1] & 0xff)) to--;
        length = 0;
        return new String(record, from, to - from, StandardCharsets.UTF_8);
    }

    private String emit() {
        String s = new String(record, 0, length, StandardCharsets.UTF_8);
        length = 0;
        return s;
    }

    private static boolean whitespace(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
