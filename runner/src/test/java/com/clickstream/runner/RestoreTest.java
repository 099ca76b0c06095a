package com.clickstream.runner;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static com.clickstream.runner.PipelineTest.P1;
import static com.clickstream.runner.PipelineTest.P2;
import static com.clickstream.runner.PipelineTest.ev;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop with a savepoint mid-stream (windows open, de-duplication state filled), restore from it, and
 * check that every window's final result is what one uninterrupted run would give.
 */
class RestoreTest {
    @TempDir
    Path tmp;
    private JobClient running;

    @org.junit.jupiter.api.AfterEach
    void cancelLeftover() throws Exception {
        if (running != null) running.cancel().get(30, TimeUnit.SECONDS); // a failed test leaves no job behind
    }

    @Test
    void windowsAndDedupSurviveStopWithSavepointAndRestore() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path out = tmp.resolve("out");
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Map<String, Properties> groups = AppHarness.properties(AppHarness.statements(), in, out,
                Map.of("source.monitor-interval", "200 ms"));

        // Phase 1. W ends at 10:02:30 (e05 at 10:03:30): [10:00) and [10:01) fire; [10:02) and [10:03) stay open.
        put(staging, in, "part1.jsonl", List.of(
                ev("e01", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:00:10Z\"", P1, null),
                ev("e02", "click", "u2", "shop.de", "DE", "\"2026-11-20T10:01:10Z\"", P1, null),
                ev("e03", "click", "u3", "shop.de", "DE", "\"2026-11-20T10:02:05Z\"", P1, null),
                ev("e04", "click", "u4", "shop.de", "DE", "\"2026-11-20T10:02:15Z\"", P2, null),
                ev("e05", "click", "u5", "shop.de", "DE", "\"2026-11-20T10:03:30Z\"", P1, null)));
        JobClient job1 = SqlRunner.prepare(groups, true, new Configuration()).execute();
        running = job1;
        waitFor(() -> AppHarness.windowRows(out, "clicks_1m", "page_type", "clicks")
                .contains("10:01-10:02|product|1"), Duration.ofSeconds(90));
        String savepoint = job1.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);

        // Phase 2, restored: a duplicate of e03 (must not count again), more events for the open windows.
        put(staging, in, "part2.jsonl", List.of(
                ev("e03", "click", "u3", "shop.de", "DE", "\"2026-11-20T10:02:05Z\"", P1, null),
                ev("e06", "click", "u6", "shop.de", "DE", "\"2026-11-20T10:02:50Z\"", P1, null),
                ev("e07", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:03:01Z\"", P2, null),
                ev("e08", "click", "u7", "shop.de", "DE", "\"2026-11-20T10:05:00Z\"", P2, null)));
        Configuration restore = new Configuration();
        restore.setString("execution.savepoint.path", savepoint);
        SqlRunner.Prepared restored = SqlRunner.prepare(groups, true, restore);
        List<String> report = RestoreReport.lines(restored.graph(), savepoint);
        for (String kept : List.of("source:clickstream_raw", "event-time:clickstream_raw", "lateness:events_unique", "deduplicate:")) {
            assertTrue(report.stream().anyMatch(l -> l.startsWith("restore: kept " + kept)), kept + " in " + report);
        }
        assertTrue(report.stream().noneMatch(l -> l.startsWith("restore: dropped")), report.toString());
        JobClient job2 = restored.execute();
        running = job2;
        // e08 moves W to 10:04:00, which fires [10:02) and [10:03) in the restored job.
        waitFor(() -> AppHarness.windowRows(out, "clicks_1m", "page_type", "clicks")
                .contains("10:03-10:04|category|1"), Duration.ofSeconds(90));
        // Drain: the end-of-event-time watermark fires what is left ([10:05)), then the job stops.
        job2.stopWithSavepoint(true, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        running = null;

        assertEquals(List.of(
                "10:00-10:01|product|1",    // e01
                "10:01-10:02|product|1",    // e02
                "10:02-10:03|category|1",   // e04 (before the savepoint)
                "10:02-10:03|product|2",    // e03 (before; its duplicate after is ignored) + e06 (after)
                "10:03-10:04|category|1",   // e07 (after)
                "10:03-10:04|product|1",    // e05 (before)
                "10:05-10:06|category|1"),  // e08
                AppHarness.windowRows(out, "clicks_1m", "page_type", "clicks"));
        assertEquals(List.of(
                "10:00-10:01|1",            // u1
                "10:01-10:02|1",            // u2
                "10:02-10:03|3",            // u3 u4 (before) + u6 (after)
                "10:03-10:04|2",            // u5 (before) + u1 (after)
                "10:05-10:06|1"),           // u7
                AppHarness.windowRows(out, "active_users_1m", "active_users"));
    }

    private static void put(Path staging, Path in, String name, List<String> lines) throws Exception {
        Path f = staging.resolve(name);
        AppHarness.write(f, lines);
        Files.move(f, in.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for output");
            Thread.sleep(200);
        }
    }
}
