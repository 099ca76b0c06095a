package com.clickstream.runner;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
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
    static final long MIN_MILLIS = LocalDateTime.of(1, 1, 1, 0, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    static final long MAX_MILLIS = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toInstant(ZoneOffset.UTC).toEpochMilli();

    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

    /** Flink's internal string in, its internal timestamp out: no conversion on either side per call. */
    public @DataTypeHint(value = "TIMESTAMP(3)", bridgedTo = TimestampData.class) TimestampData eval(
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData value) {
        if (value == null) return null;
        Long millis = toEpochMillis(value.toString());
        return millis == null ? null : TimestampData.fromEpochMillis(millis);
    }

    /**
     * PARSE_EVENT_TIME(s, not_before, not_after): as above, and NULL as well when the time is before
     * {@code not_before} or after {@code not_after} (either bound NULL: NULL). Lets a computed column
     * test plausibility with ONE parse instead of repeating the parse in every comparison.
     */
    public @DataTypeHint(value = "TIMESTAMP(3)", bridgedTo = TimestampData.class) TimestampData eval(
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData value,
            @DataTypeHint(value = "TIMESTAMP(3)", bridgedTo = TimestampData.class) TimestampData notBefore,
            @DataTypeHint(value = "TIMESTAMP(3)", bridgedTo = TimestampData.class) TimestampData notAfter) {
        TimestampData t = eval(value);
        if (t == null || notBefore == null || notAfter == null) return null;
        return t.compareTo(notBefore) < 0 || t.compareTo(notAfter) > 0 ? null : t;
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

    /**
     * Epoch milliseconds of exactly {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with a valid date and time, or
     * null for anything else, which the ISO parser then reads (or rejects): for this form both give the
     * same instant, truncated to the millisecond (ParseEventTimeFunctionTest compares them).
     */
    static Long utcMillis(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') return null;
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
        int millisOfSecond = 0;
        if (n > 20) {
            int fraction = n - 21; // between the dot and the Z
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9 || digits(s, 20, fraction) < 0) return null;
            millisOfSecond = digits(s, 20, Math.min(fraction, 3)) * (fraction == 1 ? 100 : fraction == 2 ? 10 : 1);
        }
        if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) return null;
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        return ((epochDay * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millisOfSecond;
    }

    /** The value of {@code count} ASCII digits of {@code s} from {@code at}, or -1 if one is not a digit. */
    private static int digits(String s, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static Long toEpochMillis(String value) {
        if (value == null) return null;
        String s = value.strip();
        if (s.isEmpty()) return null;
        try {
            long millis;
            Long utc;
            if (isPlainInteger(s)) {
                millis = Long.parseLong(s); // the common case: epoch milliseconds as digits, without the regex and BigDecimal
            } else if ((utc = utcMillis(s)) != null) {
                millis = utc; // the other common case, 2026-11-27T10:15:30.123Z, without java.time's parser
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
