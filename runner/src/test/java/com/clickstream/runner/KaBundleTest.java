package com.clickstream.runner;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Translated KA for SQL applications (src/test/resources/ka-bundles.json, written by the translator in
 * lib/ka/ through tests/ka-bundles-fixture.test.ts) run by the runner on records with known arrival times.
 * The arrival time (KA's ROWTIME) is the Kinesis record's ApproximateArrivalTimestamp, the metadata
 * column 'timestamp'; here the source is the runner's firehose-objects connector, whose 'timestamp' is the
 * object's modification time: one object per record, its modification time set to the arrival time.
 * Every expected value is worked out by hand from KA's documented semantics, in the comments.
 */
class KaBundleTest {
    @TempDir
    Path tmp;
    private JobClient running;

    @AfterEach
    void cancel() throws Exception {
        if (running != null) running.cancel().get(30, TimeUnit.SECONDS);
    }

    static final String DAY = "2026-11-20T";

    /** The fixture app's records: arrival time, payload. The last one is not JSON, and closes every window. */
    static final String[][] FX_RECORDS = {
        {"10:00:05.250", "{\"user\":\"u1\",\"site\":\"a\",\"amount\":1,\"page\":{\"url\":\"/p/123\"},\"sent\":\"2026-11-20 10:00:00.000\"}"},
        {"10:00:20.000", "{\"user\":\"u2\",\"site\":\"a\",\"amount\":2,\"page\":{\"url\":\"/x/p4\"},\"sent\":\"2026-11-20 10:00:19.900\"}"},
        {"10:00:40.000", "{\"user\":\"u1\",\"site\":\"a\",\"amount\":3,\"page\":{\"url\":\"/p/5\"},\"sent\":\"2026-11-20 10:00:40.000\"}"},
        {"10:00:50.000", "{\"user\":\"u3\",\"site\":\"b\",\"amount\":\"four\",\"page\":{\"url\":\"/b\"},\"sent\":\"2026-11-20 10:00:50.000\"}"},
        {"10:00:55.000", "{\"user\":\"u3\",\"site\":\"b\",\"amount\":4,\"page\":{\"url\":\"/b\"},\"sent\":\"2026-11-20 10:00:50.000\"}"},
        {"10:01:10.000", "{\"user\":\"u1\",\"site\":\"a\",\"amount\":5,\"page\":{\"url\":\"/p/6\"},\"sent\":\"2026-11-20 10:01:09.000\"}"},
        {"10:03:00.000", "tick"},
    };

    @Test
    void everyWindowTypeAndFunctionGivesTheHandWorkedResults() throws Exception {
        Path out = run("fx", FX_RECORDS);
        waitFor(() -> rows(out, "fx_functions").size() == 5 && rows(out, "rejected_events").size() == 2
                && rows(out, "fx_sliding").size() == 5 && rows(out, "fx_top_site").size() == 2, Duration.ofSeconds(90));
        Thread.sleep(1500); // let the other outputs' last part files commit too

        // Rejected: the record whose amount 'four' is no INTEGER (KA: to the error stream), and the tick.
        assertEquals(List.of("ka:fx:bad_value:amount|{\"user\":\"u3\",\"site\":\"b\",\"amount\":\"four\",\"page\":{\"url\":\"/b\"},\"sent\":\"2026-11-20 10:00:50.000\"}",
                        "ka:fx:not_json|tick"),
                render(out, "rejected_events", "reason", "payload"));

        // Tumbling 1 minute on ROWTIME, per site. a: 10:00:05.25 (u1, 1), 10:00:20 (u2, 2), 10:00:40 (u1, 3)
        // -> 3 events, 2 users, sum 6; b: 10:00:55 (u3, 4) -> 1, 1, 4; a in [10:01, 10:02): 10:01:10 (u1, 5).
        // ROWTIME of a window's row: its end; the output's rowtime: the window's last millisecond.
        assertEquals(List.of(
                        "a|10:00:00.000|10:01:00.000|3|2|6|10:00:59.999",
                        "a|10:01:00.000|10:02:00.000|1|1|5|10:01:59.999",
                        "b|10:00:00.000|10:01:00.000|1|1|4|10:00:59.999"),
                render(out, "fx_tumbling", "site", "window_start", "window_end", "events", "users", "amount_sum", "rowtime"));

        // FLOOR((ROWTIME - epoch) SECOND / 10 TO SECOND): 10-second windows: a at :05, :20, :40 and 10:01:10,
        // b at :55: one event each, in five windows.
        assertEquals(List.of("a|1|10:00:09.999", "a|1|10:00:29.999", "a|1|10:00:49.999", "a|1|10:01:19.999", "b|1|10:00:59.999"),
                render(out, "fx_ten_seconds", "site", "events", "rowtime"));

        // Sliding: per user, the rows whose ROWTIME is within the minute up to (and with) the current row.
        // u1 10:00:05.25 -> {1}; 10:00:40 -> {1, 3}; 10:01:10 -> {3, 5} (10:00:05.25 is more than 1 minute before).
        assertEquals(List.of("u1|1|1|1", "u1|3|4|2", "u1|5|8|2", "u2|2|2|1", "u3|4|4|1"),
                render(out, "fx_sliding", "user_id", "amount", "amount_1m", "events_1m"));

        // Stagger (1 minute per site). KA: a's window opens at its first record 10:00:05.25 and closes at
        // 10:01:05.25 (3 records); 10:01:10 opens a second window (1 record); b: 10:00:55 (1). The
        // translation's windows are the minute grid; on these records both give the same rows.
        assertEquals(List.of("a|1|10:01:10.000|10:01:10.000", "a|3|10:00:05.250|10:00:40.000", "b|1|10:00:55.000|10:00:55.000"),
                render(out, "fx_stagger", "site", "events", "first_at", "last_at"));

        // A chain: BIG (amount >= 2: a 10:00:20, a 10:00:40, b 10:00:55, a 10:01:10), then per minute.
        assertEquals(List.of("a|1|10:01:59.999", "a|2|10:00:59.999", "b|1|10:00:59.999"),
                render(out, "fx_big_per_minute", "site", "events", "rowtime"));

        // TOP_K_ITEMS_TUMBLING(..., 'site', 1, 60): [10:00, 10:01): a 3, b 1 -> a 3; [10:01, 10:02): a 1.
        assertEquals(List.of("a|1|10:01:59.999", "a|3|10:00:59.999"), render(out, "fx_top_site", "site", "site_count", "rowtime"));
        // COUNT_DISTINCT_ITEMS_TUMBLING(..., 'user_id', 60): [10:00, 10:01): u1, u2, u3 -> 3; [10:01, 10:02): u1 -> 1.
        assertEquals(List.of("1|10:01:59.999", "3|10:00:59.999"), render(out, "fx_distinct_users", "users", "rowtime"));

        // Row functions, on each valid record. u1 at 10:00:05.250, page /p/123, sent 10:00:00.000:
        // REGEX_REPLACE('/p/123', '[0-9]+', 'N', 1, 0) = '/p/N'; SUBSTRING FROM 2 FOR 3 = 'p/1'; POSITION('p') = 2;
        // CHAR_LENGTH = 6; TSDIFF(ROWTIME, sent) = 5250 ms. u2: sent 10:00:19.900, arrived 10:00:20 -> 100 ms.
        assertEquals(List.of(
                        "u1|/p/N|p/1|2|6|2026-11-20 10:00:00|10:00:05.250|5250|1|small|true",
                        "u1|/p/N|p/5|2|4|2026-11-20 10:00:40|10:00:40.000|0|3|big|true",
                        "u1|/p/N|p/6|2|4|2026-11-20 10:01:09|10:01:10.000|1000|5|big|true",
                        "u2|/x/pN|x/p|4|5|2026-11-20 10:00:19.9|10:00:20.000|100|2|small|true",
                        "u3|/b|b|0|2|2026-11-20 10:00:50|10:00:55.000|5000|4|big|true"),
                render(out, "fx_functions", "user_id", "cleaned", "part", "pos", "len", "parsed", "arrived", "diff_ms",
                        "amount_text", "size_class", "has_now"));
    }

    /**
     * sql/ka/web_metrics (active users and clicks per minute, written in KA SQL) against the project's
     * Flink SQL (sql/outputs/active_users_1m.sql, clicks_1m.sql) on the same events, under the condition
     * that makes them comparable: every event arrives at its event time (KA windows on arrival time, the
     * Flink SQL on event time), and there are no duplicates, late or invalid events (the Flink SQL drops
     * duplicates and validates required fields, KA does neither). Then every window has the same numbers.
     */
    @Test
    void webMetricsInKaSqlGiveTheNumbersOfTheFlinkSql() throws Exception {
        String[] sites = {"shop.de", "shop.fr", "Shop.IT"};
        String[] countries = {"de", "FR"};
        String[] types = {"page_view", "click", "click", "add_to_cart"};
        String[] pages = {PipelineTest.P1, PipelineTest.P2, null, PipelineTest.P3};
        List<String[]> ka = new ArrayList<>();
        List<String> flink = new ArrayList<>();
        Instant start = Instant.parse(DAY + "10:00:00Z");
        for (int i = 0; i < 240; i++) {
            // A fixed, irregular pattern: 240 events over 4 minutes, 13 users, 3 sites, 2 countries.
            Instant t = start.plusMillis(i * 1000L + (i * 37 % 1000));
            String payload = PipelineTest.ev("e" + i, types[i * 7 % 4], "u" + (i * 5 % 13), sites[i * 11 % 3], countries[i % 2],
                    "\"" + t + "\"", pages[i * 3 % 4], null);
            ka.add(new String[] {java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneOffset.UTC).format(t), payload});
            flink.add(payload);
        }
        ka.add(new String[] {"10:06:00.000", "tick"});

        Path flinkIn = tmp.resolve("flink-events.jsonl");
        Path flinkOut = tmp.resolve("flink-out");
        AppHarness.write(flinkIn, flink);
        AppHarness.runToEnd(flinkIn, flinkOut);
        List<String> activeUsers = AppHarness.windowRows(flinkOut, "active_users_1m", "site", "country", "active_users");
        List<String> clicks = AppHarness.windowRows(flinkOut, "clicks_1m", "site", "country", "page_type", "clicks");
        assertTrue(activeUsers.size() >= 20 && clicks.size() >= 20, activeUsers + " " + clicks);

        Path out = run("web_metrics", ka.toArray(new String[0][]));
        waitFor(() -> windowRows(out, "ka_active_users_1m", "site", "country", "active_users").size() == activeUsers.size()
                && windowRows(out, "ka_clicks_1m", "site", "country", "page_type", "clicks").size() == clicks.size()
                && rows(out, "rejected_events").size() == 1, Duration.ofSeconds(90));
        assertEquals(activeUsers, windowRows(out, "ka_active_users_1m", "site", "country", "active_users"));
        assertEquals(clicks, windowRows(out, "ka_clicks_1m", "site", "country", "page_type", "clicks"));
        assertEquals(List.of("ka:web_metrics:not_json|tick"), render(out, "rejected_events", "reason", "payload"));
    }

    /**
     * On Kinesis the runner adds its own arrival column (metadata 'timestamp', as $arrival) to the source
     * that already reads 'timestamp' as ROWTIME: the translated app plans with the deployed options.
     */
    @Test
    void aTranslatedAppPlansOnTheKinesisConnector() {
        List<SqlStatement> statements = statements("web_metrics");
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (JsonNode t : bundle("web_metrics").get("tables")) {
            tables.put(t.asText(), t.asText().equals("ka_raw")
                    ? ConnectorOptionsFixture.options("kinesis-polling-created-stream")
                    : ConnectorOptionsFixture.options("firehose-sink"));
        }
        SqlRunner.Prepared p = SqlRunner.prepare(com.clickstream.runner.tools.LocalApp.properties(statements,
                Map.of("app.name", "web_metrics", "source.region", "eu-west-1"), tables), false, new Configuration());
        assertEquals(List.of("ka_active_users_1m", "ka_clicks_1m", "rejected_events"),
                p.inserts.stream().map(SqlStatement::target).collect(Collectors.toList()));
        p.graph();
        assertTrue(p.lateness.describe().contains("ka_clicks_1m"), p.lateness.describe());
    }

    /** Window rows of a KA output ("window_start" column, 1-minute windows) as AppHarness.windowRows renders the Flink ones. */
    static List<String> windowRows(Path out, String output, String... columns) {
        return rows(out, output).stream().map(r -> {
            String start = AppHarness.hms(r.get("window_start")).substring(0, 5);
            String end = AppHarness.hms(r.get("rowtime")).substring(0, 5);
            StringBuilder b = new StringBuilder(start).append('-').append(String.format("%02d:%02d",
                    (Integer.parseInt(end.substring(0, 2)) * 60 + Integer.parseInt(end.substring(3)) + 1) / 60,
                    (Integer.parseInt(end.substring(0, 2)) * 60 + Integer.parseInt(end.substring(3)) + 1) % 60));
            for (String c : columns) {
                JsonNode v = r.get(c);
                b.append('|').append(v == null || v.isNull() ? "NULL" : v.asText());
            }
            return b.toString();
        }).sorted().collect(Collectors.toList());
    }

    // ---- harness -------------------------------------------------------------------------------------

    static JsonNode bundle(String app) {
        try (InputStream in = KaBundleTest.class.getResourceAsStream("/ka-bundles.json")) {
            if (in == null) throw new IllegalStateException("ka-bundles.json is not on the test classpath");
            JsonNode b = new ObjectMapper().readTree(in).get(app);
            if (b == null) throw new IllegalArgumentException("no app '" + app + "' in ka-bundles.json");
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<SqlStatement> statements(String app) {
        List<SqlStatement> out = new ArrayList<>();
        for (JsonNode s : bundle(app).get("statements")) out.add(new SqlStatement(s.get("file").asText(), s.get("sql").asText()));
        return out;
    }

    /** The properties of a translated app: source ka_raw from Firehose-delivered objects in {@code in}, outputs as JSON lines. */
    static Map<String, Properties> properties(String app, Path in, Path out) {
        Map<String, String> runner = new LinkedHashMap<>();
        runner.put("app.name", app);
        runner.put("source.region", AppHarness.REGION);
        runner.put("local.parallelism", "1");
        runner.put("local.checkpoint.interval.ms", "500");
        runner.put("source.idle-timeout", "1 s");
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (JsonNode t : bundle(app).get("tables")) {
            String name = t.asText();
            if (name.equals("ka_raw")) {
                tables.put(name, Map.of("connector", "firehose-objects", "path", in.toUri().toString(), "start", "TRIM_HORIZON",
                        "discovery-interval", "200 ms"));
            } else {
                tables.put(name, com.clickstream.runner.tools.LocalApp.fileSink(out.resolve(name)));
            }
        }
        return com.clickstream.runner.tools.LocalApp.properties(statements(app), runner, tables);
    }

    /** One object per record, named in arrival order, modified at its arrival time; then starts the app. */
    Path run(String app, String[][] records) throws Exception {
        Path in = tmp.resolve("in-" + app);
        Path out = tmp.resolve("out-" + app);
        Files.createDirectories(in);
        for (int i = 0; i < records.length; i++) {
            Path f = in.resolve(String.format("%06d", i));
            Files.writeString(f, records[i][1] + "\n");
            Files.setLastModifiedTime(f, FileTime.from(Instant.parse(DAY + records[i][0] + "Z")));
        }
        running = SqlRunner.prepare(properties(app, in, out), true, new Configuration()).execute();
        return out;
    }

    static List<JsonNode> rows(Path out, String output) {
        return AppHarness.rows(out, output);
    }

    /** Rows as "v|v|...", timestamps of the fixture's day as HH:mm:ss.SSS, sorted. */
    static List<String> render(Path out, String output, String... columns) {
        return rows(out, output).stream().map(r -> {
            List<String> v = new ArrayList<>();
            for (String c : columns) {
                JsonNode n = r.get(c);
                String s = n == null || n.isNull() ? "NULL" : n.asText();
                if (s.startsWith("2026-11-20 ") && !c.equals("parsed")) s = AppHarness.hms(n);
                v.add(s);
            }
            return String.join("|", v);
        }).sorted().collect(Collectors.toList());
    }

    static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for output");
            Thread.sleep(200);
        }
    }

}
