package com.clickstream.runner;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The generic Flink SQL runner. It reads the runtime properties (MSF: the application's
 * EnvironmentProperties; locally: {@code --properties application_properties.json}), reassembles the
 * SQL bundle, registers its functions, appends WITH (...) to every CREATE TABLE, gives each source with
 * a WATERMARK its event time per shard ({@link EventTimeSource}), splits the valid unique events into
 * on time and late ({@link LatenessSplit}), creates the views and runs all INSERTs as one job, with
 * stable operator uids ({@link OperatorUids}).
 *
 * <p>Local runs only: {@code --restore <savepoint or checkpoint>} restores a snapshot (as Managed Flink
 * does on start), {@code --allow-non-restored-state} lets state without an operator go, and
 * {@code --explain} prints the plans and exits.
 */
public final class SqlRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SqlRunner.class);

    private SqlRunner() {}

    /** A prepared job: DDL executed, views registered, inserts planned, nothing submitted yet. */
    public static final class Prepared {
        public final StreamExecutionEnvironment env;
        public final StreamTableEnvironment tableEnv;
        public final StreamStatementSet statementSet;
        public final RunnerConfig config;
        public final List<SqlStatement> inserts;
        /** The lateness rules, or null when the bundle has no view events_unique. */
        public final LatenessRules lateness;
        private StreamGraph graph;

        Prepared(StreamExecutionEnvironment env, StreamTableEnvironment tableEnv, StreamStatementSet statementSet,
                 RunnerConfig config, List<SqlStatement> inserts, LatenessRules lateness) {
            this.env = env;
            this.tableEnv = tableEnv;
            this.statementSet = statementSet;
            this.config = config;
            this.inserts = inserts;
            this.lateness = lateness;
        }

        /**
         * The job's graph, with a uid on every operator. If planning fails (for example an updating
         * result into an append-only sink), each INSERT is planned alone to name its file.
         */
        public StreamGraph graph() {
            if (graph != null) return graph;
            try {
                statementSet.attachAsDataStream();
            } catch (RuntimeException e) {
                for (SqlStatement s : inserts) {
                    try {
                        tableEnv.explainSql(s.sql());
                    } catch (RuntimeException single) {
                        throw StartupException.forStatement(s, "statement", single);
                    }
                }
                throw new StartupException("planning the job failed: " + StartupException.rootMessage(e));
            }
            Map<String, String> operators = OperatorUids.assign(env.getTransformations());
            List<String> sinks = OperatorUids.sinkTables(env.getTransformations());
            List<String> sources = OperatorUids.sourceTables(env.getTransformations());
            graph = env.getStreamGraph();
            for (String line : StartupLog.plan(sinks, sources, lateness, operators)) LOG.info(line);
            return graph;
        }

        /** Submits the job. */
        public JobClient execute() {
            try {
                return env.executeAsync(graph());
            } catch (StartupException e) {
                throw e;
            } catch (Exception e) {
                throw new StartupException("submitting the job failed: " + StartupException.rootMessage(e));
            }
        }
    }

    /** What {@link #start} started: the job (null after {@code --explain}) and when preparing began. */
    static final class Started {
        final Prepared prepared;
        final JobClient job;
        final long startedNanos;

        Started(Prepared prepared, JobClient job, long startedNanos) {
            this.prepared = prepared;
            this.job = job;
            this.startedNanos = startedNanos;
        }
    }

    public static void main(String[] args) throws Exception {
        String path = null;
        String restore = null;
        boolean allowNonRestored = false;
        boolean explain = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--properties": path = i + 1 < args.length ? args[++i] : null; break;
                case "--restore": restore = i + 1 < args.length ? args[++i] : null; break;
                case "--allow-non-restored-state": allowNonRestored = true; break;
                case "--explain": explain = true; break;
                default: break;
            }
        }
        boolean local = path != null;
        Started started;
        try {
            started = start(path, restore, allowNonRestored, explain);
        } catch (StartupException e) {
            if (!local) throw e;
            System.err.println("clickstream-runner: startup failed: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (local && started.job != null) {
            Prepared prepared = started.prepared;
            JobClient job = started.job;
            long preparedMs = (System.nanoTime() - started.startedNanos) / 1_000_000;
            System.err.println("clickstream-runner: job submitted after " + preparedMs + " ms: " + job.getJobID()
                    + " (" + prepared.inserts.size() + " outputs)"
                    + (prepared.config.localRestPort() == null ? "" : "; REST API on http://127.0.0.1:" + prepared.config.localRestPort()));
            JobExecutionResult result = job.getJobExecutionResult().get();
            long wallMs = (System.nanoTime() - started.startedNanos) / 1_000_000;
            System.err.println("clickstream-runner: job finished, net runtime " + result.getNetRuntime() + " ms, wall " + wallMs + " ms");
        }
    }

    /**
     * Reads the properties ({@code path}: a local file; null: Managed Flink's), prepares and plans the job
     * and submits it; with {@code explain}, prints the plans instead and submits nothing (the job is null).
     * Any failure is logged once, at ERROR, as {@code runner: startup failed: <one line>}, then thrown.
     */
    static Started start(String path, String restore, boolean allowNonRestored, boolean explain) throws Exception {
        boolean local = path != null;
        try {
            Map<String, Properties> groups = readProperties(path);
            long started = System.nanoTime();
            Configuration extra = new Configuration();
            if (local && restore != null) {
                extra.setString("execution.savepoint.path", restore);
                extra.setString("execution.savepoint.ignore-unclaimed-state", String.valueOf(allowNonRestored));
            }
            Prepared prepared = prepare(groups, local, extra);
            if (explain) {
                System.out.println(explain(prepared));
                return new Started(prepared, null, started);
            }
            StreamGraph graph = prepared.graph();
            if (restore != null) {
                for (String line : RestoreReport.lines(graph, restore)) System.err.println("clickstream-runner: " + line);
            }
            JobClient job = prepared.env.executeAsync(graph);
            LOG.info(StartupLog.submitted(job.getJobID().toString(), prepared.inserts.size()));
            return new Started(prepared, job, started);
        } catch (Exception e) {
            LOG.error(StartupLog.failed(e));
            throw e;
        }
    }

    /**
     * The optimized plans of the three parts of the job: each source with its computed columns (below the
     * runner's event-time operator), the view events_unique (below the lateness split), and the statement
     * set of all outputs; then the lateness rules.
     */
    static String explain(Prepared prepared) {
        StringBuilder b = new StringBuilder();
        for (String table : prepared.tableEnv.listTemporaryTables()) {
            if (table.endsWith("$connector")) {
                b.append("==== Source ").append(table).append(" (then the runner's event time per shard) ====\n")
                        .append(prepared.tableEnv.explainSql("SELECT * FROM " + EventTimeSource.quote(table))).append('\n');
            }
        }
        if (prepared.lateness != null) {
            b.append("==== View ").append(LatenessSplit.INPUT_VIEW).append(" (then the runner's lateness split) ====\n")
                    .append(prepared.tableEnv.explainSql("SELECT * FROM " + LatenessSplit.INPUT_VIEW)).append('\n');
        }
        b.append("==== Outputs ====\n").append(prepared.statementSet.explain()).append('\n');
        if (prepared.lateness != null) b.append("==== Lateness rules ====\n").append(prepared.lateness.describe()).append('\n');
        return b.toString();
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

    /** The Flink configuration of the job: the runner's settings, then local ones, then {@code extra}. */
    static Configuration configuration(RunnerConfig config, boolean local, Configuration extra) {
        Configuration conf = new Configuration();
        conf.setString("table.local-time-zone", "UTC");
        // Bounds the de-duplication state (ROW_NUMBER over event_id): docs/SQL.md, "Duplicates".
        conf.setString("table.exec.state.ttl", config.stateTtl());
        conf.setString("pipeline.name", config.appName());
        // Chained operators hand records on without a defensive deep copy (docs/SQL.md, "Performance
        // settings"): Flink SQL's operators never keep a reference to an input row (windows and joins
        // serialise what they buffer), and the runner's own operators (EventTimeOperator, LatenessOperator)
        // forward a view of the row and keep nothing. Every hop of the source chain copied each record.
        conf.setString("pipeline.object-reuse", "true");
        if (local) {
            // Local servers listen on loopback only: the blob server binds jobmanager.bind-host (all interfaces by default).
            conf.setString("jobmanager.bind-host", "127.0.0.1");
            conf.setString("taskmanager.bind-host", "127.0.0.1");
            conf.setString("execution.checkpointing.interval", config.localCheckpointIntervalMs() + " ms");
            // The default local checkpoint storage keeps state in JobManager memory (5 MB max): the
            // de-duplication state outgrows it within seconds, so checkpoints go to local files, and are
            // kept when the process dies, so that a restart can restore the latest (docs/LOCAL.md).
            conf.setString("execution.checkpointing.storage", "filesystem");
            Path dir = config.localCheckpointDir() != null ? Path.of(config.localCheckpointDir())
                    : Path.of(System.getProperty("java.io.tmpdir"), "clickstream-checkpoints", config.appName());
            conf.setString("execution.checkpointing.dir", dir.toAbsolutePath().toUri().toString());
            conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
            // Managed Flink runs RocksDB with incremental checkpoints and sets that itself (the runner never
            // sets a state backend there); local runs and the benchmark can choose the same (docs/CONTRACTS.md).
            if (config.localStateBackend() != null) {
                conf.setString("state.backend.type", config.localStateBackend());
                if (config.localStateBackend().equals("rocksdb")) conf.setString("state.backend.incremental", "true");
            }
            for (Map.Entry<String, String> o : config.localFlinkOptions().entrySet()) conf.setString(o.getKey(), o.getValue());
            if (config.localParallelism() != null) {
                conf.setString("parallelism.default", String.valueOf(config.localParallelism()));
            }
            if (config.localRestPort() != null) {
                conf.setString("rest.bind-address", "127.0.0.1");
                conf.setString("rest.address", "127.0.0.1");
                conf.setString("rest.bind-port", String.valueOf(config.localRestPort()));
                conf.setString("rest.port", String.valueOf(config.localRestPort()));
            }
        }
        conf.addAll(extra);
        return conf;
    }

    /** Validates the properties and the SQL, executes the DDL and views, and plans the INSERTs. */
    public static Prepared prepare(Map<String, Properties> groups, boolean local, Configuration extra) {
        RunnerConfig config = RunnerConfig.from(groups);
        for (String line : StartupLog.config(config, local)) LOG.info(line);
        List<SqlStatement> statements = SqlBundle.parse(SqlBundle.reassemble(groups, config.sqlGroups()));
        for (String line : StartupLog.bundle(statements)) LOG.info(line);
        matchTables(statements, config);

        Configuration conf = configuration(config, local, extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env,
                EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        tEnv.createTemporarySystemFunction("SOURCE_REGION", new SourceRegionFunction(config.sourceRegion()));
        tEnv.createTemporarySystemFunction("PARSE_EVENT_TIME", new ParseEventTimeFunction());
        tEnv.createTemporarySystemFunction("JSON_FIELDS", new JsonFieldsFunction());
        tEnv.createTemporarySystemFunction("IS_BLANK", new IsBlankFunction());
        tEnv.createTemporarySystemFunction("COUNT_DISTINCT", new CountDistinctFunction());
        Duration watermarkInterval = env.getConfig().getAutoWatermarkInterval() > 0
                ? Duration.ofMillis(env.getConfig().getAutoWatermarkInterval()) : Duration.ofMillis(200);

        List<SqlStatement> inserts = new ArrayList<>();
        boolean split = false;
        for (SqlStatement s : statements) {
            switch (s.kind()) {
                case CREATE_TABLE: {
                    String name = DdlRewriter.createTableName(s.sql());
                    Map<String, String> options = config.tableOptions().get(name);
                    exec(tEnv, s, DdlRewriter.appendWith(s.sql(), options));
                    if (EventTimeSource.register(tEnv, s, name, options, config, watermarkInterval)) {
                        LOG.info(StartupLog.eventTime(name, EventTimeSource.shardMetadataKey(options.get("connector")) != null,
                                config.sourceIdleTimeoutMs()));
                    }
                    break;
                }
                case INSERT:
                    inserts.add(s);
                    break;
                case CREATE_VIEW:
                    exec(tEnv, s, s.sql());
                    if (LatenessSplit.INPUT_VIEW.equalsIgnoreCase(s.target())) {
                        LatenessSplit.registerPlaceholder(tEnv);
                        split = true;
                    }
                    break;
                default:
                    exec(tEnv, s, s.sql());
            }
        }
        if (inserts.isEmpty()) {
            throw new StartupException("the SQL bundle has no INSERT statement: nothing to run");
        }
        LatenessRules rules = null;
        if (split) {
            Map<String, String> plans = new TreeMap<>();
            for (SqlStatement s : inserts) {
                try {
                    plans.put(s.target(), tEnv.explainSql(s.sql()));
                } catch (RuntimeException e) {
                    throw StartupException.forStatement(s, "statement", e);
                }
            }
            rules = LatenessRules.fromPlans(plans);
            LatenessSplit.register(tEnv, rules);
        }
        StreamStatementSet set = tEnv.createStatementSet();
        for (SqlStatement s : inserts) {
            try {
                set.addInsertSql(s.sql());
            } catch (RuntimeException e) {
                throw StartupException.forStatement(s, "statement", e);
            }
        }
        return new Prepared(env, tEnv, set, config, inserts, rules);
    }

    static void exec(StreamTableEnvironment tEnv, SqlStatement s, String sql) {
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
