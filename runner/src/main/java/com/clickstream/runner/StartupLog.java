package com.clickstream.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lines the runner logs at startup (docs/CONTRACTS.md, "Startup log"), one fact per line: what it
 * loaded ({@code runner: loaded ...}) and the shape of the planned job ({@code runner: planned ...}).
 * {@link SqlRunner} logs them at INFO. A connector option whose key names a credential is logged as
 * {@value #MASK}.
 */
final class StartupLog {
    private StartupLog() {}

    static final String MASK = "****";
    /** Parts of an option key, compared without case, '-', '_' and '.', whose value is never logged. */
    private static final List<String> SECRET_KEY_PARTS = List.of("secret", "password", "accesskey", "sessiontoken", "credentials");

    /** The app, its region, the runner options in effect (local ones only locally), and every table's options. */
    static List<String> config(RunnerConfig config, boolean local) {
        List<String> lines = new ArrayList<>();
        lines.add("runner: loaded app " + config.appName() + ", source region " + config.sourceRegion());
        Map<String, String> options = new LinkedHashMap<>();
        options.put("sql.groups", String.valueOf(config.sqlGroups()));
        options.put("state.ttl", config.stateTtl());
        options.put("source.idle-timeout", config.sourceIdleTimeout());
        if (local) {
            options.put("local.checkpoint.interval.ms", String.valueOf(config.localCheckpointIntervalMs()));
            if (config.localParallelism() != null) options.put("local.parallelism", String.valueOf(config.localParallelism()));
            if (config.localRestPort() != null) options.put("local.rest.port", String.valueOf(config.localRestPort()));
            if (config.localCheckpointDir() != null) options.put("local.checkpoint.dir", config.localCheckpointDir());
            if (config.localStateBackend() != null) options.put("local.state.backend", config.localStateBackend());
            for (Map.Entry<String, String> o : config.localFlinkOptions().entrySet()) options.put(RunnerConfig.LOCAL_FLINK_PREFIX + o.getKey(), o.getValue());
        }
        lines.add("runner: loaded runner options: " + join(options));
        for (Map.Entry<String, Map<String, String>> t : config.tableOptions().entrySet()) {
            Map<String, String> masked = new LinkedHashMap<>();
            for (Map.Entry<String, String> o : t.getValue().entrySet()) {
                masked.put(o.getKey(), secret(o.getKey()) ? MASK : o.getValue());
            }
            lines.add("runner: loaded table " + t.getKey() + " options: " + join(masked));
        }
        return lines;
    }

    /** The number of statements, each statement's file and what it creates or writes, and the outputs. */
    static List<String> bundle(List<SqlStatement> statements) {
        List<String> lines = new ArrayList<>();
        lines.add("runner: loaded statements (" + statements.size() + ")");
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            SqlStatement s = statements.get(i);
            lines.add("runner: loaded statement " + (i + 1) + "/" + statements.size() + ": " + s.file() + " " + name(s));
            if (s.kind() == SqlStatement.Kind.INSERT) outputs.add(s.target());
        }
        lines.add("runner: loaded outputs (" + outputs.size() + "): " + String.join(", ", outputs));
        return lines;
    }

    /** The planned job: its sinks and sources, the lateness rules (null: no view events_unique) and the operator uids. */
    static List<String> plan(List<String> sinks, List<String> sources, LatenessRules lateness, Map<String, String> operators) {
        List<String> lines = new ArrayList<>();
        lines.add("runner: planned sinks (" + sinks.size() + "): " + String.join(", ", sinks));
        lines.add("runner: planned sources (" + sources.size() + "): " + String.join(", ", sources));
        lines.add("runner: planned lateness: " + (lateness == null
                ? "no view " + LatenessSplit.INPUT_VIEW + ": nothing is split" : lateness.describe()));
        lines.add("runner: planned operators (" + operators.size() + "): " + join(operators));
        return lines;
    }

    /** The event time of a source with a WATERMARK clause. */
    static String eventTime(String table, boolean perShard, long idleTimeoutMs) {
        return "runner: planned event time of " + table + ": per " + (perShard ? "shard" : "subtask")
                + ", idle after " + idleTimeoutMs + " ms";
    }

    static String submitted(String jobId, int outputs) {
        return "runner: submitted job " + jobId + " (" + outputs + " outputs)";
    }

    /** The one line of a startup failure (logged at ERROR): a StartupException's message, else the root cause's. */
    static String failed(Throwable e) {
        return "runner: startup failed: " + (e instanceof StartupException ? e.getMessage() : StartupException.rootMessage(e));
    }

    static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT).replaceAll("[-_.]", "");
        return SECRET_KEY_PARTS.stream().anyMatch(k::contains);
    }

    private static String name(SqlStatement s) {
        switch (s.kind()) {
            case CREATE_TABLE: return "CREATE TABLE " + s.target();
            case CREATE_VIEW: return "CREATE VIEW " + s.target();
            case INSERT: return "INSERT INTO " + s.target();
            default: return s.firstLine();
        }
    }

    private static String join(Map<String, String> entries) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : entries.entrySet()) parts.add(e.getKey() + "=" + e.getValue());
        return String.join(", ", parts);
    }
}
