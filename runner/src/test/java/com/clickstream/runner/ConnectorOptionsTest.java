package com.clickstream.runner;

import com.clickstream.runner.tools.LocalApp;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

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
 * factories: planning every INSERT creates the source and the sinks from their options (which validates
 * them) without calling AWS. Note the table-option spelling of the static
 * credentials, aws.credentials.basic.accesskeyid: the factory rewrites "aws.credentials." to
 * "aws.credentials.provider." (AWSOptionUtils), so the client-config spelling would not work here.
 */
class ConnectorOptionsTest {
    static void planAll(Map<String, String> source, Map<String, String> sink, String brokenOutputKey) {
        List<SqlStatement> statements = AppHarness.statements();
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        tables.put("clickstream_raw", source);
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
    void unknownFirehoseOptionIsRejected() {
        StartupException e = assertThrows(StartupException.class, () -> planAll(
                ConnectorOptionsFixture.options("kinesis-polling-created-stream"), ConnectorOptionsFixture.options("firehose-sink"),
                "delivery_stream"));
        assertEquals("sql/outputs/active_users_1m.sql: statement 'INSERT INTO active_users_1m' failed: "
                + "Unsupported options found for 'firehose'. Unsupported options: delivery_stream", e.getMessage());
    }
}
