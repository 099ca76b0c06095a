package com.clickstream.runner.tools;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Benchmark data: N clickstream events as JSON lines, deterministic (fixed seed). About 5,000 events per
 * second of event time starting 2026-11-20T00:00Z, up to 20 s out of order; 0.5 % duplicate deliveries,
 * 0.2 % malformed records; ISO-8601 and epoch-millis event times; a stringified JSON context.
 *
 * Dev-only (runner/bench/run.sh): it lives in src/tools/java and compiles with the tests, not into the jar.
 *
 * <pre>java -cp runner/target/test-classes com.clickstream.runner.tools.GenerateEvents --events 2000000 --out events.jsonl</pre>
 */
public final class GenerateEvents {
    private static final String[] SITES = {"shop.de", "shop.fr", "shop.co.uk", "shop.es", "shop.it"};
    private static final String[] COUNTRIES = {"DE", "FR", "GB", "ES", "IT", "NL", "BE", "AT", "CH", "PL",
            "SE", "DK", "NO", "FI", "IE", "PT", "CZ", "US", "CA", "JP"};
    private static final String[] TYPES = {"page_view", "page_view", "page_view", "click", "click", "click",
            "click", "add_to_cart", "purchase", "search"};
    private static final String[] PAGE_TYPES = {"home", "category", "product", "search", "cart", "checkout"};
    private static final String[] CAMPAIGNS = {"bf-2026", "cm-2026", "xmas-2026", "newsletter"};
    private static final String[] DEVICES = {"mobile", "desktop", "tablet"};

    private GenerateEvents() {}

    public static void main(String[] args) throws IOException {
        long n = 2_000_000;
        Path out = Path.of("events.jsonl");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--events")) n = Long.parseLong(args[i + 1]);
            if (args[i].equals("--out")) out = Path.of(args[i + 1]);
        }
        SplittableRandom r = new SplittableRandom(20261127L);
        long start = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        String previous = null;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (long i = 0; i < n; i++) {
                double p = r.nextDouble();
                if (p < 0.005 && previous != null) {           // duplicate delivery
                    w.write(previous);
                } else if (p < 0.007) {                          // malformed
                    w.write(i % 2 == 0 ? "{\"event_id\":\"broken-" + i + "\"" : "{\"event_id\":\"m" + i + "\",\"event_type\":\"click\"}");
                } else {
                    long t = start + i / 5 - r.nextInt(20_000);
                    String user = "u" + r.nextInt(200_000);
                    int pg = r.nextInt(1000);
                    String type = TYPES[r.nextInt(TYPES.length)];
                    StringBuilder b = new StringBuilder(420);
                    b.append("{\"event_id\":\"ev-").append(i).append("\",\"event_type\":\"").append(type)
                            .append("\",\"user_id\":\"").append(user)
                            .append("\",\"session_id\":\"s-").append(user).append('-').append(i / 600_000)
                            .append("\",\"site\":\"").append(SITES[r.nextInt(SITES.length)])
                            .append("\",\"country\":\"").append(COUNTRIES[r.nextInt(COUNTRIES.length)])
                            .append("\",\"page\":{\"url\":\"/p/").append(pg).append("\",\"type\":\"")
                            .append(PAGE_TYPES[pg % PAGE_TYPES.length]).append("\",\"category\":\"c").append(pg % 40)
                            .append("\"},\"device\":{\"type\":\"").append(DEVICES[r.nextInt(DEVICES.length)])
                            .append("\",\"os\":\"android\"},\"event_time\":");
                    if ((i & 1) == 0) b.append(t); else b.append('"').append(Instant.ofEpochMilli(t)).append('"');
                    b.append(",\"context\":\"{\\\"campaign\\\":\\\"").append(CAMPAIGNS[r.nextInt(CAMPAIGNS.length)])
                            .append("\\\",\\\"experiment\\\":\\\"checkout-v").append(r.nextInt(3))
                            .append("\\\",\\\"cart_value\\\":").append(r.nextInt(50_000) / 100.0).append("}\"}");
                    previous = b.toString();
                    w.write(previous);
                }
                w.write('\n');
            }
        }
    }
}
