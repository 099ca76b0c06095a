package com.clickstream.runner.tools;

import com.clickstream.runner.DdlRewriter;
import com.clickstream.runner.SqlBundle;
import com.clickstream.runner.SqlStatement;
import com.clickstream.runner.SqlText;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Dev-only tool (tests, benchmark): builds the runtime properties for the SQL in {@code sql/} the way
 * docs/CONTRACTS.md says (sources, views in file-name order, each output's CREATE TABLE, then each
 * output's INSERT; chunked into sql.NNN groups), with a file source and file or blackhole sinks.
 * Deployments get their properties from buildRuntimeProperties() in lib/runtime-properties.ts.
 * It lives in src/tools/java and compiles with the tests (target/test-classes), not into the jar.
 *
 * <pre>java -cp runner/target/test-classes:runner/target/clickstream-runner.jar:$(cat runner/target/classpath.txt) \
 *   com.clickstream.runner.tools.LocalApp --sql-dir sql --input events.jsonl \
 *   (--output-dir out | --blackhole) [--region eu-west-1] [--parallelism 2] [--checkpoint-ms 10000]
 *   [--state-backend hashmap|rocksdb] [--checkpoint-dir dir] [--rest-port 8081] --out app.json</pre>
 */
public final class LocalApp {
    private LocalApp() {}

    /** The statements of a sql/ folder, in bundle order; file names are "sql/<folder>/<file>". */
    public static List<SqlStatement> loadSqlDir(Path sqlDir) {
        List<SqlStatement> out = new ArrayList<>();
        for (String folder : List.of("sources", "views")) {
            for (Path f : sqlFiles(sqlDir.resolve(folder))) {
                for (String s : SqlText.splitStatements(read(f))) {
                    out.add(new SqlStatement("sql/" + folder + "/" + f.getFileName(), s));
                }
            }
        }
        List<SqlStatement> creates = new ArrayList<>();
        List<SqlStatement> inserts = new ArrayList<>();
        for (Path f : sqlFiles(sqlDir.resolve("outputs"))) {
            for (String s : SqlText.splitStatements(read(f))) {
                SqlStatement st = new SqlStatement("sql/outputs/" + f.getFileName(), s);
                (st.kind() == SqlStatement.Kind.INSERT ? inserts : creates).add(st);
            }
        }
        out.addAll(creates);
        out.addAll(inserts);
        return out;
    }

    /** Names of the CREATE TABLEs in sql/sources and sql/outputs respectively. */
    public static List<String> tableNames(List<SqlStatement> statements, String folder) {
        return statements.stream()
                .filter(s -> s.kind() == SqlStatement.Kind.CREATE_TABLE && s.file().startsWith("sql/" + folder + "/"))
                .map(s -> DdlRewriter.createTableName(s.sql()))
                .collect(Collectors.toList());
    }

    private static List<Path> sqlFiles(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** runner group + sql.NNN groups + the given table.<name> groups. */
    public static Map<String, Properties> properties(List<SqlStatement> statements, Map<String, String> runner,
                                                    Map<String, Map<String, String>> tables) {
        Map<String, Properties> groups = new TreeMap<>(SqlBundle.chunk(SqlBundle.toJson(statements)));
        Properties r = new Properties();
        r.putAll(runner);
        r.setProperty("sql.groups", String.valueOf(groups.size()));
        groups.put("runner", r);
        for (Map.Entry<String, Map<String, String>> t : tables.entrySet()) {
            Properties p = new Properties();
            p.putAll(t.getValue());
            groups.put("table." + t.getKey(), p);
        }
        return groups;
    }

    /** Options that read a file of newline-separated raw records. */
    public static Map<String, String> fileSource(Path path) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("connector", "filesystem");
        o.put("path", path.toAbsolutePath().toString());
        o.put("format", "raw");
        return o;
    }

    /** Options that write JSON lines like the Firehose sink's format options do. */
    public static Map<String, String> fileSink(Path dir) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("connector", "filesystem");
        o.put("path", dir.toAbsolutePath().toString());
        o.put("format", "json");
        o.put("json.timestamp-format.standard", "SQL");
        o.put("json.encode.decimal-as-plain-number", "true");
        // Row-format part files are committed at the first checkpoint after they roll: roll every second
        // so that local results appear within about one checkpoint interval.
        o.put("sink.rolling-policy.rollover-interval", "1 s");
        o.put("sink.rolling-policy.check-interval", "1 s");
        return o;
    }

    /** The JSON array format of application_properties.json (KinesisAnalyticsRuntime). */
    public static String toJson(Map<String, Properties> groups) {
        ObjectMapper m = new ObjectMapper();
        ArrayNode arr = m.createArrayNode();
        for (Map.Entry<String, Properties> g : groups.entrySet()) {
            ObjectNode o = arr.addObject();
            o.put("PropertyGroupId", g.getKey());
            ObjectNode map = o.putObject("PropertyMap");
            for (String k : new TreeMap<>(g.getValue()).keySet().stream().map(Object::toString).collect(Collectors.toList())) {
                map.put(k, g.getValue().getProperty(k));
            }
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(arr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--blackhole")) { a.put("--blackhole", "true"); continue; }
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + args[i]);
            a.put(args[i], args[++i]);
        }
        List<SqlStatement> statements = loadSqlDir(Path.of(a.getOrDefault("--sql-dir", "sql")));
        Map<String, String> runner = new LinkedHashMap<>();
        runner.put("app.name", a.getOrDefault("--app-name", "local"));
        runner.put("source.region", a.getOrDefault("--region", "local-1"));
        if (a.containsKey("--parallelism")) runner.put("local.parallelism", a.get("--parallelism"));
        if (a.containsKey("--checkpoint-ms")) runner.put("local.checkpoint.interval.ms", a.get("--checkpoint-ms"));
        if (a.containsKey("--state-backend")) runner.put("local.state.backend", a.get("--state-backend"));
        if (a.containsKey("--checkpoint-dir")) runner.put("local.checkpoint.dir", a.get("--checkpoint-dir"));
        if (a.containsKey("--rest-port")) runner.put("local.rest.port", a.get("--rest-port"));
        if (a.containsKey("--flink")) { // key=value,key=value: Flink options for this local run
            for (String kv : a.get("--flink").split(",")) {
                if (kv.isBlank()) continue;
                int eq = kv.indexOf('=');
                runner.put("local.flink." + kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
            }
        }
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (String source : tableNames(statements, "sources")) {
            tables.put(source, fileSource(Path.of(a.get("--input"))));
        }
        for (String output : tableNames(statements, "outputs")) {
            tables.put(output, a.containsKey("--blackhole") ? Map.of("connector", "blackhole")
                    : fileSink(Path.of(a.get("--output-dir")).resolve(output)));
        }
        Files.writeString(Path.of(a.get("--out")), toJson(properties(statements, runner, tables)));
    }
}
