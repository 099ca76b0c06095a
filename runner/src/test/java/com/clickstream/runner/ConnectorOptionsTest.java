package com.clickstream.runner;

import com.clickstream.runner.tools.LocalApp;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production connector options (docs/CONTRACTS.md), exactly as lib/connector-options.ts writes them
 * ({@link ConnectorOptionsFixture}), are accepted by the shaded Kinesis 4.3.0 and Firehose 4.3.0 table
 * factories and the runner's own firehose-objects factory: planning every INSERT creates the source and the sinks from their options (which validates
 * them) without calling AWS. Note the table-option spelling of the static
 * credentials, aws.credentials.basic.accesskeyid: the factory rewrites "aws.credentials." to
 * "aws.credentials.provider." (AWSOptionUtils), so the client-config spelling would not work here.
 */
class ConnectorOptionsTest {
    static void planAll(Map<String, String> source, Map<String, String> sink, String brokenOutputKey) {
        plan(AppHarness.statements(), source, sink, brokenOutputKey);
    }

    static void plan(List<SqlStatement> statements, Map<String, String> source, Map<String, String> sink) {
        plan(statements, source, sink, null);
    }

    static void plan(List<SqlStatement> statements, Map<String, String> source, Map<String, String> sink, String brokenOutputKey) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (String s : LocalApp.tableNames(statements, "sources")) tables.put(s, source);
        for (String o : LocalApp.tableNames(statements, "outputs")) {
            Map<String, String> f = new LinkedHashMap<>(sink);
            if (brokenOutputKey != null) f.put(brokenOutputKey, "x");
            tables.put(o, f);
        }
        Map<String, String> runner = Map.of("app.name", "realtime", "source.region", "eu-west-1");
        Map<String, Properties> groups = LocalApp.properties(statements, runner, tables);
        SqlRunner.Prepared p = SqlRunner.prepare(groups, false, new Configuration());
        for (SqlStatement insert : p.inserts) {
            p.tableEnv.explainSql(insert.sql());
        }
    }

    @Test
    void theExampleProgramsOwnSqlPlansWithASourceWithoutProcessingTime() {
        // examples/small-pipeline: its source orders_raw has no PROCTIME column (the event-time view once
        // dropped its computed columns then) and its one output reads the source directly.
        List<SqlStatement> example = LocalApp.loadSqlDir(Path.of("../examples/small-pipeline/sql"));
        assertEquals(List.of("orders_raw"), LocalApp.tableNames(example, "sources"));
        plan(example, ConnectorOptionsFixture.options("kinesis-polling-created-stream"), ConnectorOptionsFixture.options("firehose-sink"));
    }

    @Test
    void efoWithRegistrationNoneAndConsumerArnAndFirehoseSinksPlan() {
        planAll(ConnectorOptionsFixture.options("kinesis-efo-attached-stream"), ConnectorOptionsFixture.options("firehose-sink"), null);
    }

    @Test
    void pollingWithLocalEndpointAndBasicCredentialsPlans() {
        planAll(ConnectorOptionsFixture.options("kinesis-polling-created-stream", "local-kinesis-endpoint"),
                ConnectorOptionsFixture.options("firehose-sink", "local-firehose-endpoint"), null);
    }

    @Test
    void atTimestampAndAPollingIntervalPlan() {
        // What kinesisSourceOptions() writes for startPosition AT_TIMESTAMP, and for two apps polling one stream.
        Map<String, String> sink = ConnectorOptionsFixture.options("firehose-sink");
        planAll(ConnectorOptionsFixture.options("kinesis-polling-interval"), sink, null);
        Map<String, String> o = ConnectorOptionsFixture.options("kinesis-at-timestamp");
        planAll(o, sink, null);
        o.put("scan.stream.initpos-timestamp", "27/11/2026 10:00");
        RuntimeException e = assertThrows(RuntimeException.class, () -> planAll(o, sink, null));
        assertTrue(StartupException.rootMessage(e).contains("timestamp"), StartupException.rootMessage(e));
    }

    @Test
    void efoWithoutConsumerArnIsRejected() {
        Map<String, String> o = ConnectorOptionsFixture.options("kinesis-efo-attached-stream");
        assertNotNull(o.remove("scan.stream.efo.consumerarn." + o.get("stream")));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> planAll(o, ConnectorOptionsFixture.options("firehose-sink"), null));
        assertTrue(StartupException.rootMessage(e).toLowerCase().contains("consumer"), StartupException.rootMessage(e));
    }

    @Test
    void firehoseObjectsSourcePlans() {
        planAll(ConnectorOptionsFixture.options("firehose-objects-source"), ConnectorOptionsFixture.options("firehose-sink"), null);
        planAll(ConnectorOptionsFixture.options("firehose-objects-at-timestamp"), ConnectorOptionsFixture.options("firehose-sink"), null);
    }

    @Test
    void badFirehoseObjectsOptionsAreOneLineNamingOptionValueAndWhatIsAllowed() {
        // Flink's ValidationException, which the runner logs as one line: its root message (StartupLogTest).
        assertEquals("option 'compression' = 'zip' is not valid for connector 'firehose-objects': allowed none, gzip",
                firehoseObjectsFailure(Map.of("compression", "zip")));
        assertEquals("option 'record-separator' = 'comma' is not valid for connector 'firehose-objects': "
                + "allowed newline, none", firehoseObjectsFailure(Map.of("record-separator", "comma")));
        assertEquals("option 'start' = 'BOGUS' is not valid for connector 'firehose-objects': "
                + "allowed LATEST, TRIM_HORIZON, AT_TIMESTAMP", firehoseObjectsFailure(Map.of("start", "BOGUS")));
        assertEquals("option 'start.timestamp' is required with 'start' = 'AT_TIMESTAMP' (connector "
                + "'firehose-objects'): an ISO-8601 instant such as 2026-11-27T10:00:00.000Z",
                firehoseObjectsFailure(Map.of("start", "AT_TIMESTAMP")));
        assertEquals("option 'start.timestamp' = '2026-11-27T10:00:00.000Z' is only allowed with 'start' = "
                + "'AT_TIMESTAMP' (connector 'firehose-objects'), not with 'LATEST': remove it",
                firehoseObjectsFailure(Map.of("start.timestamp", "2026-11-27T10:00:00.000Z")));
        assertEquals("option 'start.timestamp' = '27/11/2026 10:00' is not valid for connector 'firehose-objects': "
                + "allowed an ISO-8601 instant with a zone, such as 2026-11-27T10:00:00.000Z",
                firehoseObjectsFailure(Map.of("start", "AT_TIMESTAMP", "start.timestamp", "27/11/2026 10:00")));
        assertEquals("option 'discovery-interval' = 'often' is not valid for connector 'firehose-objects': "
                + "allowed a positive duration such as '30 s' or '1 min'", firehoseObjectsFailure(Map.of("discovery-interval", "often")));
        assertEquals("Unsupported options found for 'firehose-objects'. Unsupported options: format",
                firehoseObjectsFailure(Map.of("format", "raw")));
    }

    @Test
    void firehoseObjectsTableNeedsExactlyOneStringColumn() {
        List<SqlStatement> statements = AppHarness.edit(AppHarness.statements(), "sql/sources/clickstream_raw.sql",
                sql -> sql.replace("payload STRING,", "payload STRING, shard INT,"));
        RuntimeException e = assertThrows(RuntimeException.class, () -> plan(statements,
                ConnectorOptionsFixture.options("firehose-objects-source"), ConnectorOptionsFixture.options("firehose-sink")));
        assertEquals("table 'clickstream_raw': connector 'firehose-objects' reads each record as one STRING column, but the "
                + "table declares 2 physical columns (payload STRING, shard INT): declare exactly one physical column, "
                + "such as payload STRING (computed and metadata columns may follow)", StartupException.rootMessage(e));
    }

    private static String firehoseObjectsFailure(Map<String, String> change) {
        Map<String, String> o = ConnectorOptionsFixture.options("firehose-objects-source");
        o.putAll(change);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> planAll(o, ConnectorOptionsFixture.options("firehose-sink"), null));
        String line = StartupLog.failed(e);
        assertTrue(line.startsWith("runner: startup failed: ") && !line.contains("\n"), line);
        return line.substring("runner: startup failed: ".length());
    }

    @Test
    void unknownFirehoseOptionIsRejected() {
        StartupException e = assertThrows(StartupException.class, () -> planAll(
                ConnectorOptionsFixture.options("kinesis-polling-created-stream"), ConnectorOptionsFixture.options("firehose-sink"),
                "delivery_stream"));
        assertEquals("sql/outputs/active_users_1m.sql: statement 'INSERT INTO active_users_1m' failed: "
                + "Unsupported options found for 'firehose'. Unsupported options: delivery_stream", e.getMessage());
    }
}
