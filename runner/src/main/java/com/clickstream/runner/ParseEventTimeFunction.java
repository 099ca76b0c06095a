package com.clickstream.runner;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * PARSE_EVENT_TIME(s): the event time as a UTC TIMESTAMP(3), or NULL when {@code s} is neither
 * an ISO-8601 date-time with a zone/offset (e.g. 2026-11-27T10:15:30.123+01:00, ...Z,
 * ...+01:00[Europe/Paris]) nor epoch milliseconds (an integer, as JSON number or string).
 * Never throws: a bad value becomes NULL and the record is rejected with reason bad_timestamp.
 * The 3-argument form also returns NULL outside [not_before, not_after].
 */
public final class ParseEventTimeFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    /** TIMESTAMP(3) covers years 0000-9999; anything outside is treated as unparsable. */
    private static final long MIN_MILLIS = LocalDateTime.of(1, 1, 1, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final long MAX_MILLIS = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toInstant(ZoneOffset.UTC).toEpochMilli();

    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

    public @DataTypeHint("TIMESTAMP(3)") LocalDateTime eval(String value) {
        Long millis = toEpochMillis(value);
        if (millis == null) return null;
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    /**
     * PARSE_EVENT_TIME(s, not_before, not_after): as above, and NULL as well when the time is before
     * {@code not_before} or after {@code not_after} (either bound NULL: NULL). Lets a computed column
     * test plausibility with ONE parse instead of repeating the parse in every comparison.
     */
    public @DataTypeHint("TIMESTAMP(3)") LocalDateTime eval(String value,
                                                       @DataTypeHint("TIMESTAMP(3)") LocalDateTime notBefore,
                                                       @DataTypeHint("TIMESTAMP(3)") LocalDateTime notAfter) {
        LocalDateTime t = eval(value);
        if (t == null || notBefore == null || notAfter == null) return null;
        return t.isBefore(notBefore) || t.isAfter(notAfter) ? null : t;
    }

    /** An optional minus and 1 to 18 digits: always a long. */
    private static boolean isPlainInteger(String s) {
        int start = s.charAt(0) == '-' ? 1 : 0;
        int digits = s.length() - start;
        if (digits < 1 || digits > 18) return false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    static Long toEpochMillis(String value) {
        if (value == null) return null;
        String s = value.strip();
        if (s.isEmpty()) return null;
        try {
            long millis;
            if (isPlainInteger(s)) {
                millis = Long.parseLong(s); // the common case: epoch milliseconds as digits, without the regex and BigDecimal
            } else if (NUMBER.matcher(s).matches()) {
                // epoch milliseconds; "1764238500000", or a JSON double rendering such as "1.7642385E12"
                BigDecimal d = new BigDecimal(s);
                millis = d.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
                if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) return null; // fractional millis
            } else {
                Instant instant = ZonedDateTime.parse(s, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant();
                millis = instant.truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
            }
            return millis < MIN_MILLIS || millis > MAX_MILLIS ? null : millis;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
