package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** PARSE_EVENT_TIME(s): ISO-8601 with a zone or epoch milliseconds, as UTC; NULL otherwise. */
class ParseEventTimeFunctionTest {

    @Test
    void eventTimeParsing() {
        ParseEventTimeFunction f = new ParseEventTimeFunction();
        assertEquals(LocalDateTime.of(2026, 11, 27, 9, 15, 30, 123_000_000), f.eval("2026-11-27T10:15:30.123+01:00"));
        assertEquals(LocalDateTime.of(2026, 11, 27, 10, 15, 30), f.eval("2026-11-27T10:15:30Z"));
        assertEquals(LocalDateTime.of(2026, 11, 27, 9, 15, 30), f.eval("2026-11-27T10:15:30+01:00[Europe/Paris]"));
        // 1795168800000 ms = 2026-11-20T10:00:00Z
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0), f.eval("1795168800000"));
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0), f.eval("1.7951688E12"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1_000_000), f.eval("1"));
        assertEquals(LocalDateTime.of(1969, 12, 31, 23, 59, 59), f.eval("-1000"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 7_000_000), f.eval("007"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 7_000_000), f.eval(" 7 "));
        assertNull(f.eval("-"));
        assertNull(f.eval("+7"));
        assertNull(f.eval("2026-11-27T10:15:30")); // no zone
        assertNull(f.eval("27/11/2026 10:15"));
        assertNull(f.eval("1795168800000.5"));
        assertNull(f.eval("99999999999999999999"));
        assertNull(f.eval(""));
        assertNull(f.eval(null));
    }
}
