package com.clickstream.runner;

import com.clickstream.runner.tools.LocalApp;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the REAL SQL files of ../sql through the runner, the way a deployment does (bundle, chunks,
 * table.* groups), with the Kinesis source replaced by a file of raw records and every Firehose sink
 * replaced by a JSON-lines folder (append-only like Firehose).
 */
final class AppHarness {
    static final String REGION = "eu-test-1";
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static Path sqlDir() {
        return Path.of(System.getProperty("clickstream.sql.dir", "../sql"));
    }

    static List<SqlStatement> statements() {
        return LocalApp.loadSqlDir(sqlDir());
    }

    static Map<String, Properties> properties(List<SqlStatement> statements, Path input, Path outDir,
                                              Map<String, String> sourceExtra) {
        Map<String, String> runner = new LinkedHashMap<>();
        runner.put("app.name", "test");
        runner.put("source.region", REGION);
        runner.put("local.parallelism", "1");
        runner.put("local.checkpoint.interval.ms", "500");
        // A finished input file stops holding back event time after 1 s (1 min on Managed Flink).
        runner.put("source.idle-timeout", "1 s");
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (String s : LocalApp.tableNames(statements, "sources")) {
            Map<String, String> o = new LinkedHashMap<>(LocalApp.fileSource(input));
            o.putAll(sourceExtra);
            tables.put(s, o);
        }
        for (String o : LocalApp.tableNames(statements, "outputs")) {
            tables.put(o, LocalApp.fileSink(outDir.resolve(o)));
        }
        return LocalApp.properties(statements, runner, tables);
    }

    /** Replaces text in the statements of one file (for the startup-error tests). */
    static List<SqlStatement> edit(List<SqlStatement> statements, String file, UnaryOperator<String> change) {
        return statements.stream()
                .map(s -> s.file().equals(file) ? new SqlStatement(s.file(), change.apply(s.sql())) : s)
                .collect(Collectors.toList());
    }

    static void runToEnd(Path input, Path outDir) throws Exception {
        SqlRunner.prepare(properties(statements(), input, outDir, Map.of()), true, new Configuration())
                .execute().getJobExecutionResult().get();
    }

    /** All committed JSON rows of one output (in-progress/hidden part files are ignored). */
    static List<JsonNode> rows(Path outDir, String output) {
        Path dir = outDir.resolve(output);
        if (!Files.isDirectory(dir)) return List.of();
        List<JsonNode> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().collect(Collectors.toList())) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || name.startsWith("_")) continue;
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) rows.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** "HH:mm:ss.SSS" of a SQL-format timestamp in the JSON output (window rows are all on one day). */
    static String hms(JsonNode ts) {
        LocalDateTime t = LocalDateTime.parse(ts.asText().replace(' ', 'T'));
        return String.format("%02d:%02d:%02d.%03d", t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000_000);
    }

    /** Rows rendered as "window_start-window_end|col|col..." (times as HH:mm), sorted. */
    static List<String> windowRows(Path outDir, String output, String... columns) {
        return rows(outDir, output).stream().map(r -> {
            StringBuilder b = new StringBuilder(hms(r.get("window_start")).substring(0, 5))
                    .append('-').append(hms(r.get("window_end")).substring(0, 5));
            for (String c : columns) {
                JsonNode v = r.get(c);
                b.append('|').append(v == null || v.isNull() ? "NULL"
                        : c.endsWith("_at") ? hms(v) : c.equals("cart_value") && v.isNumber() ? v.decimalValue().setScale(2).toPlainString() : v.asText());
            }
            return b.toString();
        }).sorted().collect(Collectors.toList());
    }

    static void write(Path file, List<String> lines) throws IOException {
        Files.write(file, String.join("\n", lines).concat("\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
