package com.clickstream.runner;

import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PARSE_EVENT_TIME(s): ISO-8601 with a zone or epoch milliseconds, as UTC; NULL otherwise. */
class ParseEventTimeFunctionTest {

    static LocalDateTime parse(ParseEventTimeFunction f, String value) {
        TimestampData t = f.eval(value == null ? null : StringData.fromString(value));
        return t == null ? null : t.toLocalDateTime();
    }

    @Test
    void eventTimeParsing() {
        ParseEventTimeFunction f = new ParseEventTimeFunction();
        assertEquals(LocalDateTime.of(2026, 11, 27, 9, 15, 30, 123_000_000), parse(f, "2026-11-27T10:15:30.123+01:00"));
        assertEquals(LocalDateTime.of(2026, 11, 27, 10, 15, 30), parse(f, "2026-11-27T10:15:30Z"));
        assertEquals(LocalDateTime.of(2026, 11, 27, 9, 15, 30), parse(f, "2026-11-27T10:15:30+01:00[Europe/Paris]"));
        // 1795168800000 ms = 2026-11-20T10:00:00Z
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0), parse(f, "1795168800000"));
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0), parse(f, "1.7951688E12"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1_000_000), parse(f, "1"));
        assertEquals(LocalDateTime.of(1969, 12, 31, 23, 59, 59), parse(f, "-1000"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 7_000_000), parse(f, "007"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 7_000_000), parse(f, " 7 "));
        assertNull(parse(f, "-"));
        assertNull(parse(f, "+7"));
        assertNull(parse(f, "2026-11-27T10:15:30")); // no zone
        assertNull(parse(f, "27/11/2026 10:15"));
        assertNull(parse(f, "1795168800000.5"));
        assertNull(parse(f, "99999999999999999999"));
        assertNull(parse(f, ""));
        assertNull(parse(f, null));
    }

    /** The UTC fast path gives exactly what java.time's ISO parser gives, and declines what it rejects. */
    @Test
    void utcFastPathAgreesWithTheIsoParser() {
        java.util.Random random = new java.util.Random(13);
        List<String> cases = new ArrayList<>(List.of("2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-04-31T10:00:00Z",
                "2026-11-27T24:00:00Z", "2026-11-27T23:60:00Z", "2026-11-27T23:59:60Z", "2026-13-01T00:00:00Z",
                "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "2026-11-27T10:15:30.Z", "2026-11-27T10:15:30.1234567890Z", "2026-11-27t10:15:30Z", "2026-11-27T10:15:30z",
                "2026-11-27T10:15:30.5x", "+2026-11-27T10:15:30Z", "2026-1-27T10:15:30Z", "2026-11-27T10:15:3aZ"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d",
                    random.nextInt(10_000), random.nextInt(14), random.nextInt(33), random.nextInt(25), random.nextInt(61), random.nextInt(61)));
            int fraction = random.nextInt(11);
            if (fraction > 0) {
                b.append('.');
                for (int d = 1; d < fraction; d++) b.append((char) ('0' + random.nextInt(10)));
            }
            cases.add(b.append('Z').toString());
        }
        int accepted = 0;
        for (String c : cases) {
            Long fast = ParseEventTimeFunction.utcMillis(c);
            Long iso;
            try {
                iso = java.time.ZonedDateTime.parse(c, java.time.format.DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant()
                        .truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toEpochMilli();
            } catch (RuntimeException e) {
                iso = null;
            }
            if (fast != null) {
                accepted++;
                assertEquals(iso, fast, c);
            }
            // The whole parse, fast path included: the ISO result within the years 0001-9999, else NULL.
            Long expected = iso == null || iso < ParseEventTimeFunction.MIN_MILLIS || iso > ParseEventTimeFunction.MAX_MILLIS ? null : iso;
            assertEquals(expected, ParseEventTimeFunction.toEpochMillis(c), c);
        }
        assertTrue(accepted > 5_000, "the fast path took " + accepted + " cases");
    }
}
