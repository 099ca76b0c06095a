package com.clickstream.runner.firehose;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static com.clickstream.runner.firehose.RecordSplitter.Separator.NEWLINE;
import static com.clickstream.runner.firehose.RecordSplitter.Separator.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class RecordSplitterTest {
    static List<String> split(String text, RecordSplitter.Separator separator) {
        return split(new RecordSplitter(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), separator));
    }

    static List<String> split(RecordSplitter s) {
        List<String> out = new ArrayList<>();
        for (String r; (r = s.next()) != null; ) out.add(r);
        return out;
    }

    @Test
    void backToBack() {
        assertEquals(List.of("{\"a\":1}", "{\"b\":{\"c\":[1,2]}}", "[1,{\"d\":2}]"),
                split("{\"a\":1}{\"b\":{\"c\":[1,2]}}[1,{\"d\":2}]", NONE));
    }

    @Test
    void backToBackWithNewlinesAndSpacesBetween() {
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "{\"c\":\n 3}"),
                split("\n{\"a\":1}\n{\"b\":2}\r\n  \t{\"c\":\n 3}\n\n", NONE));
    }

    @Test
    void newlineWithCrLfAndBlankLines() {
        assertEquals(List.of("{\"a\":1}", "not json", "{\"b\":2}", "last"),
                split("{\"a\":1}\r\n\r\nnot json\n   \n\t\r\n{\"b\":2}\nlast", NEWLINE));
        assertEquals(List.of(), split("", NEWLINE));
        assertEquals(List.of(), split("\n\r\n", NEWLINE));
        assertEquals(List.of("a"), split("a\n", NEWLINE));
    }

    @Test
    void textBetweenValuesIsItsOwnRecord() {
        assertEquals(List.of("{\"a\":1}", "garbage here }", "{\"b\":2}", "x y", "[3]", "tail"),
                split("{\"a\":1} garbage here } {\"b\":2}x y\n[3]  tail  ", NONE));
    }

    @Test
    void partialValueAtTheEndIsARecord() {
        assertEquals(List.of("{\"a\":1}", "{\"b\":{\"c\":"), split("{\"a\":1}{\"b\":{\"c\":", NONE));
        assertEquals(List.of("{\"a\":\"unterminated"), split("{\"a\":\"unterminated", NONE));
    }

    @Test
    void bracesAndEscapedQuotesInsideStrings() {
        String a = "{\"s\":\"}{ ] [ \\\" } \\\\\",\"t\":\"\\\"{\"}";
        String b = "{\"u\":\"caf\u00e9 \u2603 \\u007b\"}";
        assertEquals(List.of(a, b), split(a + b, NONE));
        assertEquals(List.of(a, b), split(a + "\n" + b + "\n", NEWLINE));
    }

    @Test
    void sizeCapCutsTheRecordAndResynchronisesAtTheNextValue() {
        // A value that never closes: cut at the cap, skipped up to the next '{' after a '}' or at a line start.
        String broken = "{\"a\":{\"b\":1}, \"c\":\"xxxxxxxxxxxxxxxxxxxx";
        RecordSplitter s = new RecordSplitter(in(broken + "\n {\"next\":1}{\"after\":2}"), NONE, 16);
        assertEquals(List.of(broken.substring(0, 16), "{\"next\":1}", "{\"after\":2}"), split(s));
        assertEquals(1, s.oversizedRecords());
        // ... but a value right after the broken one is indistinguishable from its inside: skipped with it.
        s = new RecordSplitter(in(broken + "{\"lost\":1} {\"after\":2}"), NONE, 16);
        assertEquals(List.of(broken.substring(0, 16), "{\"after\":2}"), split(s));
        // Text between values longer than the cap: emitted in pieces of the cap.
        assertEquals(List.of("0123456789", "abcdef", "{}"), split(new RecordSplitter(in("0123456789abcdef{}"), NONE, 10)));
        // Newline: the line is cut, the rest of it skipped.
        s = new RecordSplitter(in("0123456789abcdef\r\nok\n"), NEWLINE, 10);
        assertEquals(List.of("0123456789", "ok"), split(s));
        assertEquals(1, s.oversizedRecords());
        // Exactly at the cap is not cut.
        s = new RecordSplitter(in("{\"a\":\"12345\"}{}"), NONE, 13);
        assertEquals(List.of("{\"a\":\"12345\"}", "{}"), split(s));
        assertEquals(0, s.oversizedRecords());
        // The real cap: 1 MiB.
        String big = "{\"p\":\"" + "x".repeat(RecordSplitter.MAX_RECORD_BYTES) + "\"}";
        List<String> r = split(big + "{\"q\":1}", NONE);
        assertEquals(2, r.size());
        assertEquals(RecordSplitter.MAX_RECORD_BYTES, r.get(0).length());
        assertEquals("{\"q\":1}", r.get(1));
    }

    @Test
    void aFailedReadEndsTheInputWithThePartialTail() {
        EOFException eof = new EOFException("Unexpected end of ZLIB input stream");
        InputStream failing = new InputStream() {
            final byte[] data = "{\"a\":1}{\"b\":".getBytes(StandardCharsets.UTF_8);
            int i;

            @Override
            public int read() throws IOException {
                if (i < data.length) return data[i++];
                throw eof;
            }
        };
        RecordSplitter s = new RecordSplitter(failing, NONE);
        assertEquals(List.of("{\"a\":1}", "{\"b\":"), split(s));
        assertNull(s.next());
        assertSame(eof, s.failure());
    }

    private static InputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
