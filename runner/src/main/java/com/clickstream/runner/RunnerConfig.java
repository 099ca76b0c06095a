package com.clickstream.runner;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The runner's view of the runtime properties (docs/CONTRACTS.md, "Runtime properties"). */
public final class RunnerConfig {
    public static final String RUNNER_GROUP = "runner";
    public static final String TABLE_GROUP_PREFIX = "table.";
    /** Local runs only: runner/local.flink.<key> = <value> sets Flink option <key> (the benchmark's experiments). */
    public static final String LOCAL_FLINK_PREFIX = "local.flink.";
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000L;
    public static final String DEFAULT_STATE_TTL = "1 h";
    public static final String DEFAULT_SOURCE_IDLE_TIMEOUT = "1 min";

    private final String appName;
    private final String sourceRegion;
    private final int sqlGroups;
    private final long localCheckpointIntervalMs;
    private final Integer localParallelism;
    private final String stateTtl;
    private final String sourceIdleTimeout;
    private final long sourceIdleTimeoutMs;
    private final Integer localRestPort;
    private final String localCheckpointDir;
    private final String localStateBackend;
    private final Map<String, String> localFlinkOptions;
    private final Map<String, Map<String, String>> tableOptions;

    private RunnerConfig(String appName, String sourceRegion, int sqlGroups, long localCheckpointIntervalMs,
                         Integer localParallelism, String stateTtl, String sourceIdleTimeout, long sourceIdleTimeoutMs, Integer localRestPort,
                         String localCheckpointDir, String localStateBackend, Map<String, String> localFlinkOptions, Map<String, Map<String, String>> tableOptions) {
        this.appName = appName;
        this.sourceRegion = sourceRegion;
        this.sqlGroups = sqlGroups;
        this.localCheckpointIntervalMs = localCheckpointIntervalMs;
        this.localParallelism = localParallelism;
        this.stateTtl = stateTtl;
        this.sourceIdleTimeout = sourceIdleTimeout;
        this.sourceIdleTimeoutMs = sourceIdleTimeoutMs;
        this.localRestPort = localRestPort;
        this.localCheckpointDir = localCheckpointDir;
        this.localStateBackend = localStateBackend;
        this.localFlinkOptions = localFlinkOptions;
        this.tableOptions = tableOptions;
    }

    public static RunnerConfig from(Map<String, Properties> groups) {
        Properties runner = groups.get(RUNNER_GROUP);
        if (runner == null) {
            throw new StartupException("property group 'runner' is missing");
        }
        String appName = required(runner, "app.name");
        String region = required(runner, "source.region");
        int sqlGroups = intValue(runner, "sql.groups", null);
        long cp = intValue(runner, "local.checkpoint.interval.ms", (int) DEFAULT_CHECKPOINT_INTERVAL_MS);
        if (cp <= 0) {
            throw new StartupException("runtime property runner/local.checkpoint.interval.ms must be > 0, got " + cp);
        }
        Integer parallelism = runner.getProperty("local.parallelism") == null ? null
                : intValue(runner, "local.parallelism", null);
        if (parallelism != null && parallelism < 1) {
            throw new StartupException("runtime property runner/local.parallelism must be >= 1, got " + parallelism);
        }
        String ttl = runner.getProperty("state.ttl", DEFAULT_STATE_TTL).strip();
        String idle = runner.getProperty("source.idle-timeout", DEFAULT_SOURCE_IDLE_TIMEOUT).strip();
        long idleMs = durationMillis(runner, "source.idle-timeout", DEFAULT_SOURCE_IDLE_TIMEOUT);
        Integer restPort = runner.getProperty("local.rest.port") == null ? null : intValue(runner, "local.rest.port", null);
        String checkpointDir = runner.getProperty("local.checkpoint.dir");
        String backend = runner.getProperty("local.state.backend");
        if (backend != null && !backend.isBlank()) {
            backend = backend.strip();
            if (!backend.equals("hashmap") && !backend.equals("rocksdb")) {
                throw new StartupException("runtime property runner/local.state.backend must be 'hashmap' or 'rocksdb', got '" + backend + "'");
            }
        } else {
            backend = null;
        }

        Map<String, String> flink = new TreeMap<>();
        for (String k : runner.stringPropertyNames()) {
            if (k.startsWith(LOCAL_FLINK_PREFIX)) flink.put(k.substring(LOCAL_FLINK_PREFIX.length()), runner.getProperty(k).strip());
        }
        Map<String, Map<String, String>> tables = new TreeMap<>();
        for (Map.Entry<String, Properties> e : groups.entrySet()) {
            if (e.getKey().startsWith(TABLE_GROUP_PREFIX)) {
                String table = e.getKey().substring(TABLE_GROUP_PREFIX.length());
                Map<String, String> options = new LinkedHashMap<>();
                for (String k : new TreeMap<>(toMap(e.getValue())).keySet()) {
                    options.put(k, e.getValue().getProperty(k));
                }
                tables.put(table, Collections.unmodifiableMap(options));
            }
        }
        return new RunnerConfig(appName, region, sqlGroups, cp, parallelism, ttl, idle, idleMs, restPort,
                checkpointDir == null || checkpointDir.isBlank() ? null : checkpointDir.strip(), backend, Collections.unmodifiableMap(flink), Collections.unmodifiableMap(tables));
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
        return m;
    }

    private static String required(Properties runner, String key) {
        String v = runner.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new StartupException("runtime property runner/" + key + " is missing");
        }
        return v.strip();
    }

    private static long durationMillis(Properties runner, String key, String dflt) {
        String v = runner.getProperty(key, dflt).strip();
        long ms;
        try {
            ms = org.apache.flink.util.TimeUtils.parseDuration(v).toMillis();
        } catch (RuntimeException e) {
            throw new StartupException("runtime property runner/" + key + " must be a duration such as '1 min' or '30 s', got '" + v + "'");
        }
        if (ms <= 0) throw new StartupException("runtime property runner/" + key + " must be > 0, got '" + v + "'");
        return ms;
    }

    private static int intValue(Properties runner, String key, Integer dflt) {
        String v = runner.getProperty(key);
        if (v == null || v.isBlank()) {
            if (dflt == null) throw new StartupException("runtime property runner/" + key + " is missing");
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new StartupException("runtime property runner/" + key + " must be an integer, got '" + v + "'");
        }
    }

    public String appName() { return appName; }
    public String sourceRegion() { return sourceRegion; }
    public int sqlGroups() { return sqlGroups; }
    public long localCheckpointIntervalMs() { return localCheckpointIntervalMs; }
    public Integer localParallelism() { return localParallelism; }
    public String stateTtl() { return stateTtl; }
    /** runner/source.idle-timeout as given (a Flink duration), or its default. */
    public String sourceIdleTimeout() { return sourceIdleTimeout; }
    /** Processing time without records after which a shard stops holding back event time. */
    public long sourceIdleTimeoutMs() { return sourceIdleTimeoutMs; }
    /** Local runs: the port of Flink's REST API on 127.0.0.1 (stop with savepoint, metrics). */
    public Integer localRestPort() { return localRestPort; }
    /** Local runs: where checkpoints go (default $TMPDIR/clickstream-checkpoints/<app.name>). */
    public String localCheckpointDir() { return localCheckpointDir; }
    /**
     * Local runs: the state backend, {@code hashmap} or {@code rocksdb} (with incremental checkpoints, as
     * Managed Flink runs every application); null: Flink's default (hashmap). Never applied on Managed
     * Flink, which chooses the state backend itself.
     */
    public String localStateBackend() { return localStateBackend; }
    /** Local runs: Flink options given as runner/local.flink.<key> (key -> value). */
    public Map<String, String> localFlinkOptions() { return localFlinkOptions; }
    /** table name -> connector options (sorted by key). */
    public Map<String, Map<String, String>> tableOptions() { return tableOptions; }
}
