package com.clickstream.runner;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The out-of-orderness bound declared by a source table's {@code WATERMARK FOR rowtime AS ...} clause.
 * The runner tracks event time per shard itself (docs/SQL.md, "Event time per shard"), so it supports
 * the two forms that mean "a fixed delay behind the newest event time": {@code rowtime} and
 * {@code rowtime - INTERVAL 'n' UNIT} with UNIT one of SECOND, MINUTE, HOUR, DAY. It reads the
 * expression as Flink's planner serializes it ({@code `rowtime` - INTERVAL '1' MINUTE}).
 */
public final class WatermarkBound {
    private WatermarkBound() {}

    /** The bound in milliseconds of {@code expression} on {@code rowtime}; a StartupException otherwise. */
    public static long millis(String file, String rowtime, String expression) {
        String e = expression.strip();
        String column = "`" + rowtime.replace("`", "``") + "`";
        if (e.equals(column)) return 0;
        String rest = e.startsWith(column) ? e.substring(column.length()).strip() : null;
        if (rest != null && rest.startsWith("-")) {
            String[] parts = rest.substring(1).strip().split("\\s+");
            if (parts.length == 3 && parts[0].equalsIgnoreCase("INTERVAL") && parts[1].matches("'\\d+(\\.\\d{1,3})?'")) {
                BigDecimal n = new BigDecimal(parts[1].substring(1, parts[1].length() - 1));
                long unit = unitMillis(parts[2].toUpperCase(Locale.ROOT));
                if (unit > 0 && (unit == 1000 || n.scale() == 0)) {
                    return n.multiply(BigDecimal.valueOf(unit)).longValueExact();
                }
            }
        }
        throw new StartupException(file + ": WATERMARK FOR " + rowtime + " AS " + expression
                + " is not supported: the runner tracks event time per shard with a fixed delay; write "
                + rowtime + " - INTERVAL 'n' SECOND|MINUTE|HOUR|DAY (or " + rowtime + " for no delay)");
    }

    private static long unitMillis(String unit) {
        switch (unit) {
            case "SECOND": return 1_000L;
            case "MINUTE": return 60_000L;
            case "HOUR": return 3_600_000L;
            case "DAY": return 86_400_000L;
            default: return -1;
        }
    }
}
