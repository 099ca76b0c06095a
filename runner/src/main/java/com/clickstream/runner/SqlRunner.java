package com.clickstream.runner;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The generic Flink SQL runner. It reads the runtime properties (MSF: the application's
 * EnvironmentProperties; locally: {@code --properties application_properties.json}), reassembles the
 * SQL bundle, registers SOURCE_REGION(), PARSE_EVENT_TIME() and JSON_FIELDS(), appends WITH (...) to every
 * CREATE TABLE, creates the views and submits all INSERTs as one statement set (one job).
 */
public final class SqlRunner {
    private SqlRunner() {}

    /** A prepared job: DDL executed, inserts validated and planned, nothing submitted yet. */
    public static final class Prepared {
        public final TableEnvironment tableEnv;
        public final StatementSet statementSet;
        public final RunnerConfig config;
        public final List<SqlStatement> inserts;

        Prepared(TableEnvironment tableEnv, StatementSet statementSet, RunnerConfig config, List<SqlStatement> inserts) {
            this.tableEnv = tableEnv;
            this.statementSet = statementSet;
            this.config = config;
            this.inserts = inserts;
        }

        /**
         * Plans the statement set and submits it as one job. If planning fails (for example an
         * updating result into an append-only sink), each INSERT is planned alone to name its file.
         */
        public TableResult execute() {
            try {
                return statementSet.execute();
            } catch (RuntimeException e) {
                for (SqlStatement s : inserts) {
                    try {
                        tableEnv.explainSql(s.sql());
                    } catch (RuntimeException single) {
                        throw StartupException.forStatement(s, "statement", single);
                    }
                }
                throw new StartupException("planning or submitting the job failed: " + StartupException.rootMessage(e));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--properties") && i + 1 < args.length) path = args[++i];
        }
        boolean local = path != null;
        boolean explain = java.util.Arrays.asList(args).contains("--explain");
        try {
            Map<String, Properties> groups = readProperties(path);
            long started = System.nanoTime();
            Prepared prepared = prepare(groups, local, new Configuration());
            if (explain) { // print the optimized plan of the whole statement set and stop
                System.out.println(prepared.statementSet.explain());
                return;
            }
            long prepared_ms = (System.nanoTime() - started) / 1_000_000;
            TableResult result = prepared.execute();
            if (local) {
                System.err.println("clickstream-runner: prepared in " + prepared_ms + " ms, submitted after "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
                System.err.println("clickstream-runner: job submitted (" + prepared.inserts.size() + " outputs); waiting");
                result.await();
                long wallMs = (System.nanoTime() - started) / 1_000_000;
                long netMs = result.getJobClient().map(c -> {
                    try { return c.getJobExecutionResult().get().getNetRuntime(); } catch (Exception e) { return -1L; }
                }).orElse(-1L);
                System.err.println("clickstream-runner: job finished, net runtime " + netMs + " ms, wall " + wallMs + " ms");
            }
        } catch (StartupException e) {
            if (!local) throw e;
            System.err.println("clickstream-runner: startup failed: " + e.getMessage());
            System.exit(2);
        }
    }

    static Map<String, Properties> readProperties(String path) {
        try {
            if (path == null) {
                return KinesisAnalyticsRuntime.getApplicationProperties();
            }
            if (!Files.isReadable(Path.of(path))) {
                throw new StartupException("cannot read the properties file " + path);
            }
            return KinesisAnalyticsRuntime.getApplicationProperties(path);
        } catch (IOException | RuntimeException e) {
            if (e instanceof StartupException) throw (StartupException) e;
            throw new StartupException("cannot read the application properties"
                    + (path == null ? "" : " from " + path) + ": " + StartupException.rootMessage(e));
        }
    }

    /** Validates the properties and the SQL, executes the DDL and plans the INSERTs. */
    public static Prepared prepare(Map<String, Properties> groups, boolean local, Configuration extra) {
        RunnerConfig config = RunnerConfig.from(groups);
        List<SqlStatement> statements = SqlBundle.parse(SqlBundle.reassemble(groups, config.sqlGroups()));
        Map<String, SqlStatement> tables = matchTables(statements, config);

        Configuration conf = new Configuration();
        conf.setString("table.local-time-zone", "UTC");
        // Bounds the de-duplication state (ROW_NUMBER over event_id): docs/SQL.md, "Duplicates".
        conf.setString("table.exec.state.ttl", config.stateTtl());
        // An idle shard (or a subtask without a shard) must not hold back the watermark forever.
        conf.setString("table.exec.source.idle-timeout", "1 min");
        conf.setString("pipeline.name", config.appName());
        if (local) {
            conf.setString("execution.checkpointing.interval", config.localCheckpointIntervalMs() + " ms");
            // The default local checkpoint storage keeps state in JobManager memory (5 MB max): the
            // de-duplication state outgrows it within seconds, so checkpoints go to local files.
            conf.setString("execution.checkpointing.storage", "filesystem");
            conf.setString("execution.checkpointing.dir", java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                    "clickstream-checkpoints", config.appName()).toUri().toString());
            if (config.localParallelism() != null) {
                conf.setString("parallelism.default", String.valueOf(config.localParallelism()));
            }
        }
        conf.addAll(extra);

        TableEnvironment tEnv = TableEnvironment.create(
                EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        tEnv.createTemporarySystemFunction("SOURCE_REGION", new SourceRegionFunction(config.sourceRegion()));
        tEnv.createTemporarySystemFunction("PARSE_EVENT_TIME", new ParseEventTimeFunction());
        tEnv.createTemporarySystemFunction("JSON_FIELDS", new JsonFieldsFunction());

        List<SqlStatement> inserts = new ArrayList<>();
        for (SqlStatement s : statements) {
            switch (s.kind()) {
                case CREATE_TABLE: {
                    String name = DdlRewriter.createTableName(s.sql());
                    String ddl = DdlRewriter.appendWith(s.sql(), config.tableOptions().get(name));
                    exec(tEnv, s, ddl);
                    break;
                }
                case INSERT:
                    inserts.add(s);
                    break;
                default:
                    exec(tEnv, s, s.sql());
            }
        }
        if (inserts.isEmpty()) {
            throw new StartupException("the SQL bundle has no INSERT statement: nothing to run");
        }
        StatementSet set = tEnv.createStatementSet();
        for (SqlStatement s : inserts) {
            try {
                set.addInsertSql(s.sql());
                // Plans this INSERT alone, so that planner errors (e.g. an updating result into an
                // append-only sink) name their file instead of failing the whole set anonymously.
            } catch (RuntimeException e) {
                throw StartupException.forStatement(s, "statement", e);
            }
        }
        return new Prepared(tEnv, set, config, inserts);
    }

    private static void exec(TableEnvironment tEnv, SqlStatement s, String sql) {
        try {
            tEnv.executeSql(sql);
        } catch (RuntimeException e) {
            throw StartupException.forStatement(s, "statement", e);
        }
    }

    /** Every CREATE TABLE has a table.<name> group and every table.<name> group has a CREATE TABLE. */
    static Map<String, SqlStatement> matchTables(List<SqlStatement> statements, RunnerConfig config) {
        Map<String, SqlStatement> tables = new LinkedHashMap<>();
        for (SqlStatement s : statements) {
            if (s.kind() == SqlStatement.Kind.CREATE_TABLE) {
                String name = DdlRewriter.createTableName(s.sql());
                if (name == null) {
                    throw new StartupException(s.file() + ": cannot read the table name of '" + s.firstLine() + "'");
                }
                if (tables.put(name, s) != null) {
                    throw new StartupException(s.file() + ": table '" + name + "' is created twice in the SQL bundle");
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, SqlStatement> t : tables.entrySet()) {
            Map<String, String> options = config.tableOptions().get(t.getKey());
            if (options == null || options.isEmpty()) {
                problems.add(t.getValue().file() + ": table '" + t.getKey() + "' has no connector options (property group '"
                        + RunnerConfig.TABLE_GROUP_PREFIX + t.getKey() + "' is " + (options == null ? "missing" : "empty") + ")");
            }
        }
        for (String name : config.tableOptions().keySet()) {
            if (!tables.containsKey(name)) {
                problems.add("property group '" + RunnerConfig.TABLE_GROUP_PREFIX + name
                        + "' has no matching CREATE TABLE " + name + " in the SQL bundle");
            }
        }
        if (!problems.isEmpty()) {
            throw new StartupException(String.join("; ", problems));
        }
        return tables;
    }
}
