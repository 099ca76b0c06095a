package com.clickstream.runner;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static com.clickstream.runner.PipelineTest.P1;
import static com.clickstream.runner.PipelineTest.P2;
import static com.clickstream.runner.PipelineTest.ev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REAL SQL bundle over Firehose-delivered objects (connector firehose-objects, gzip, JSON values
 * back to back): valid events are counted in the windows, and a truncated object's marker record is
 * rejected as not_json, through the same path as the Kinesis source.
 */
class FirehoseObjectsBundleTest {
    @TempDir
    Path tmp;
    private JobClient running;

    @AfterEach
    void cancelLeftover() throws Exception {
        if (running != null) running.cancel().get(30, TimeUnit.SECONDS);
    }

    @Test
    void eventsAreCountedAndACorruptObjectIsRejected() throws Exception {
        Path in = tmp.resolve("delivered");
        Path out = tmp.resolve("out");
        put(in.resolve("2026/11/20/10/clicks-1-2026-11-20-10-00-00-a"), gzip(String.join("",
                ev("e01", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:00:10Z\"", P1, null),
                ev("e02", "click", "u2", "shop.de", "DE", "\"2026-11-20T10:00:20Z\"", P1, null),
                ev("e01", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:00:10Z\"", P1, null), // a duplicate
                ev("e03", "click", "u3", "shop.de", "DE", "\"2026-11-20T10:01:10Z\"", P2, null))));
        // Cut short after e04 (10:02:30, which moves the watermark to 10:01:30 and fires [10:00, 10:01)).
        put(in.resolve("2026/11/20/10/clicks-1-2026-11-20-10-05-00-b"), truncatedGzip(
                ev("e04", "click", "u4", "shop.de", "DE", "\"2026-11-20T10:02:30Z\"", P2, null),
                ev("e05", "click", "u5", "shop.de", "DE", "\"2026-11-20T10:02:40Z\"", P2, null)));

        Map<String, Properties> groups = AppHarness.properties(AppHarness.statements(), tmp.resolve("unused"), out, Map.of());
        groups.put("table.clickstream_raw", TestProps.of("connector", "firehose-objects", "path", in.toUri().toString(),
                "compression", "gzip", "record-separator", "none", "start", "TRIM_HORIZON", "discovery-interval", "200 ms"));
        running = SqlRunner.prepare(groups, true, new Configuration()).execute();

        waitFor(() -> AppHarness.windowRows(out, "clicks_1m", "page_type", "clicks").contains("10:00-10:01|product|2")
                && AppHarness.rows(out, "rejected_events").size() == 1, Duration.ofSeconds(60));
        assertEquals(List.of("10:00-10:01|product|2"), AppHarness.windowRows(out, "clicks_1m", "page_type", "clicks"));
        JsonNode rejected = AppHarness.rows(out, "rejected_events").get(0);
        assertEquals("not_json", rejected.get("reason").asText());
        String payload = rejected.get("payload").asText();
        assertTrue(payload.startsWith("corrupt object file:") && payload.endsWith(
                "/2026/11/20/10/clicks-1-2026-11-20-10-05-00-b: Unexpected end of ZLIB input stream"), payload);
        assertEquals(List.of(), AppHarness.rows(out, "late_events").stream().map(r -> r.get("event_id").asText())
                .collect(Collectors.toList()));
    }

    private static void put(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path hidden = file.resolveSibling("." + file.getFileName());
        Files.write(hidden, content);
        Files.move(hidden, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    /** A gzip object cut right after {@code readable} (a sync flush), so {@code lost} is gone. */
    private static byte[] truncatedGzip(String readable, String lost) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        GZIPOutputStream z = new GZIPOutputStream(b, true);
        z.write(readable.getBytes(StandardCharsets.UTF_8));
        z.flush();
        int cut = b.size();
        z.write(lost.getBytes(StandardCharsets.UTF_8));
        z.close();
        return Arrays.copyOf(b.toByteArray(), cut);
    }

    private static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for output");
            Thread.sleep(200);
        }
    }
}
