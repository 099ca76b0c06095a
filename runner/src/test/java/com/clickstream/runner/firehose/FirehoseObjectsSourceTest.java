package com.clickstream.runner.firehose;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The firehose-objects connector on Flink (MiniCluster, parallelism 1), over objects in a temp folder. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FirehoseObjectsSourceTest {
    @TempDir
    Path tmp;

    private StreamExecutionEnvironment env;

    StreamTableEnvironment tableEnv(Configuration conf) {
        conf.setString("parallelism.default", "1");
        conf.setString("table.local-time-zone", "UTC");
        env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        return StreamTableEnvironment.create(env, EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
    }

    static void createTable(StreamTableEnvironment tEnv, String name, Path dir, String options) {
        tEnv.executeSql("CREATE TABLE " + name + " (payload STRING, path STRING METADATA FROM 'file.path' VIRTUAL, "
                + "delivered TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL) WITH ('connector' = 'firehose-objects', "
                + "'path' = '" + dir.toUri() + "', 'discovery-interval' = '200 ms'" + options + ")");
    }

    /** Writes an object atomically (a hidden file, then a rename), as an S3 PUT appears. */
    static Path put(Path dir, String name, byte[] content) throws IOException {
        Path target = dir.resolve(name);
        Files.createDirectories(target.getParent());
        Path hidden = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(hidden, content);
        return Files.move(hidden, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(utf8(s));
        }
        return b.toByteArray();
    }

    /**
     * A gzip object cut short: {@code readable} can be decompressed from what is left (a sync flush
     * follows it), {@code lost} cannot.
     */
    static byte[] truncatedGzip(String readable, String lost) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        GZIPOutputStream z = new GZIPOutputStream(b, true);
        z.write(utf8(readable));
        z.flush();
        int cut = b.size();
        z.write(utf8(lost));
        z.close();
        return java.util.Arrays.copyOf(b.toByteArray(), cut);
    }

    /** Reads {@code n} rows as "file|payload", then checks that the job is still running and cancels it. */
    static List<String> read(TableResult result, int n) throws Exception {
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (rows.size() < n) {
                Row r = it.next();
                String path = (String) r.getField("path");
                String payload = (String) r.getField("payload");
                rows.add(path.substring(path.lastIndexOf('/') + 1) + "|" + payload.replace(path, "<path>"));
            }
            assertEquals(JobStatus.RUNNING, result.getJobClient().orElseThrow().getJobStatus().get());
        }
        return rows;
    }

    @Test
    void plainBackToBackGzipAndACorruptObject() throws Exception {
        Path plain = tmp.resolve("plain");
        Path b2b = tmp.resolve("b2b");
        Path gz = tmp.resolve("gz");
        put(plain, "2026/11/20/10/s-1-2026-11-20-10-00-00-a", utf8("{\"e\":1}\r\n\r\n{\"e\":2}\nnot json\n{\"e\":3}"));
        put(b2b, "2026/11/20/10/s-1-2026-11-20-10-00-00-b", utf8("{\"e\":4}{\"e\":\"}{\\\"\"}\n{\"e\":6}"));
        put(gz, "2026/11/20/10/s-1-2026-11-20-10-00-00-c", gzip("{\"e\":7}{\"e\":8}"));
        // Named .json, not .gz: compression comes from the table, never from the name.
        put(gz, "2026/11/20/10/s-1-2026-11-20-10-01-00-d.json", truncatedGzip("{\"e\":9}{\"e\":10}{\"e\":", "11}{\"e\":12}"));
        StreamTableEnvironment tEnv = tableEnv(new Configuration());
        createTable(tEnv, "plain", plain, ", 'start' = 'TRIM_HORIZON'");
        createTable(tEnv, "b2b", b2b, ", 'start' = 'TRIM_HORIZON', 'record-separator' = 'none'");
        createTable(tEnv, "gz", gz, ", 'start' = 'TRIM_HORIZON', 'record-separator' = 'none', 'compression' = 'gzip'");
        List<String> rows = read(tEnv.executeSql(
                "SELECT payload, path FROM plain UNION ALL SELECT payload, path FROM b2b UNION ALL SELECT payload, path FROM gz"), 13);
        Collections.sort(rows);
        assertEquals(List.of(
                "s-1-2026-11-20-10-00-00-a|not json",
                "s-1-2026-11-20-10-00-00-a|{\"e\":1}",
                "s-1-2026-11-20-10-00-00-a|{\"e\":2}",
                "s-1-2026-11-20-10-00-00-a|{\"e\":3}",
                "s-1-2026-11-20-10-00-00-b|{\"e\":\"}{\\\"\"}",
                "s-1-2026-11-20-10-00-00-b|{\"e\":4}",
                "s-1-2026-11-20-10-00-00-b|{\"e\":6}",
                "s-1-2026-11-20-10-00-00-c|{\"e\":7}",
                "s-1-2026-11-20-10-00-00-c|{\"e\":8}",
                "s-1-2026-11-20-10-01-00-d.json|corrupt object <path>: Unexpected end of ZLIB input stream",
                "s-1-2026-11-20-10-01-00-d.json|{\"e\":",
                "s-1-2026-11-20-10-01-00-d.json|{\"e\":10}",
                "s-1-2026-11-20-10-01-00-d.json|{\"e\":9}"), rows);
    }

    @Test
    void latestSkipsTheObjectsThatExistAtTheFirstStart() throws Exception {
        Path dir = tmp.resolve("latest");
        put(dir, "2026/11/20/10/s-1-2026-11-20-10-00-00-old", utf8("{\"old\":1}\n"));
        StreamTableEnvironment tEnv = tableEnv(new Configuration());
        createTable(tEnv, "objs", dir, "");
        TableResult result = tEnv.executeSql("SELECT payload, path FROM objs");
        JobClient job = result.getJobClient().orElseThrow();
        while (job.getJobStatus().get() != JobStatus.RUNNING) Thread.sleep(50);
        Thread.sleep(1500); // the first listing happens as the job starts
        put(dir, "2026/11/20/10/s-1-2026-11-20-10-01-00-new", utf8("{\"new\":1}\n{\"new\":2}\n"));
        assertEquals(List.of("s-1-2026-11-20-10-01-00-new|{\"new\":1}", "s-1-2026-11-20-10-01-00-new|{\"new\":2}"),
                read(result, 2));
    }

    @Test
    void atTimestampReadsTheObjectsModifiedFromThenOn() throws Exception {
        Path dir = tmp.resolve("at");
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        Files.setLastModifiedTime(put(dir, "2026/11/20/09/s-1-a", utf8("{\"before\":1}\n")),
                FileTime.from(t.minusMillis(1)));
        Files.setLastModifiedTime(put(dir, "2026/11/20/10/s-1-b", utf8("{\"at\":1}\n")), FileTime.from(t));
        Files.setLastModifiedTime(put(dir, "2026/11/20/10/s-1-c", utf8("{\"after\":1}\n")), FileTime.from(t.plusSeconds(60)));
        StreamTableEnvironment tEnv = tableEnv(new Configuration());
        createTable(tEnv, "objs", dir, ", 'start' = 'AT_TIMESTAMP', 'start.timestamp' = '2026-11-20T10:00:00.000Z'");
        TableResult result = tEnv.executeSql("SELECT payload, path, CAST(delivered AS STRING) AS d FROM objs");
        assertEquals(List.of("s-1-b|{\"at\":1}", "s-1-c|{\"after\":1}"), read(result, 2)); // in path order
    }

    /** What the restore test's sink saw (one job at a time, parallelism 1). */
    static final List<String> SEEN = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aRestoreReadsOnlyTheObjectsDeliveredSince() throws Exception {
        Path dir = tmp.resolve("restore");
        put(dir, "2026/11/20/10/s-1-2026-11-20-10-00-00-1", gzip("{\"o\":1,\"r\":1}{\"o\":1,\"r\":2}"));
        put(dir, "2026/11/20/10/s-1-2026-11-20-10-01-00-2", gzip("{\"o\":2,\"r\":1}"));
        SEEN.clear();
        JobClient first = job(dir, new Configuration());
        waitFor(3);
        String savepoint = first.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        assertEquals(List.of("{\"o\":1,\"r\":1}", "{\"o\":1,\"r\":2}", "{\"o\":2,\"r\":1}"), new ArrayList<>(SEEN));

        SEEN.clear();
        put(dir, "2026/11/20/10/s-1-2026-11-20-10-02-00-3", gzip("{\"o\":3,\"r\":1}{\"o\":3,\"r\":2}"));
        Configuration restore = new Configuration();
        restore.setString("execution.savepoint.path", savepoint);
        JobClient second = job(dir, restore);
        try {
            waitFor(2);
            Thread.sleep(1000); // a re-read of objects 1-2 would show up by now
            assertEquals(List.of("{\"o\":3,\"r\":1}", "{\"o\":3,\"r\":2}"), new ArrayList<>(SEEN));
        } finally {
            second.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private JobClient job(Path dir, Configuration conf) throws Exception {
        StreamTableEnvironment tEnv = tableEnv(conf);
        // TRIM_HORIZON applies to the fresh start only; the restored job continues from its snapshot.
        createTable(tEnv, "objs", dir, ", 'start' = 'TRIM_HORIZON', 'record-separator' = 'none', 'compression' = 'gzip'");
        tEnv.toDataStream(tEnv.sqlQuery("SELECT payload FROM objs")).addSink(new SinkFunction<Row>() {
            @Override
            public void invoke(Row row, Context context) {
                SEEN.add((String) row.getField(0));
            }
        }).uid("seen");
        return env.executeAsync();
    }

    private static void waitFor(int rows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (SEEN.size() < rows) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + rows + " rows: " + SEEN);
            Thread.sleep(50);
        }
    }
}
