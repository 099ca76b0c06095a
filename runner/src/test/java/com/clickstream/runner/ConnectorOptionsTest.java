package com.clickstream.runner;

import com.clickstream.runner.tools.LocalApp;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production connector options (docs/CONTRACTS.md) are accepted by the shaded Kinesis 4.3.0 and
 * Firehose 4.3.0 table factories: planning every INSERT creates the source and the sinks from their
 * options (which validates them) without calling AWS. Note the table-option spelling of the static
 * credentials, aws.credentials.basic.accesskeyid: the factory rewrites "aws.credentials." to
 * "aws.credentials.provider." (AWSOptionUtils), so the client-config spelling would not work here.
 */
class ConnectorOptionsTest {
    static final String STREAM = "clickstream-eu";
    static final String CONSUMER_ARN =
            "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream-eu/consumer/clickstream-realtime:1700000000";

    static Map<String, String> kinesis(String publisher, boolean local) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("connector", "kinesis");
        o.put("stream", STREAM);
        o.put("aws.region", "eu-west-1");
        o.put("format", "raw");
        o.put("scan.stream.initpos", "TRIM_HORIZON");
        o.put("scan.stream.recordpublisher", publisher);
        if (publisher.equals("EFO")) {
            o.put("scan.stream.efo.registration", "NONE");
            o.put("scan.stream.efo.consumerarn." + STREAM, CONSUMER_ARN);
        }
        if (local) {
            o.put("aws.endpoint", "http://127.0.0.1:4567");
            o.put("aws.trust.all.certificates", "true");
            o.put("aws.credentials.provider", "BASIC");
            o.put("aws.credentials.basic.accesskeyid", "local");
            o.put("aws.credentials.basic.secretkey", "local");
        }
        return o;
    }

    static Map<String, String> firehose(String output, boolean local) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("connector", "firehose");
        o.put("delivery-stream", "clickstream-" + output);
        o.put("aws.region", "eu-central-1");
        o.put("format", "json");
        o.put("json.timestamp-format.standard", "SQL");
        o.put("json.encode.decimal-as-plain-number", "true");
        if (local) {
            o.put("aws.endpoint", "http://127.0.0.1:4573");
            o.put("aws.trust.all.certificates", "true");
            o.put("aws.credentials.provider", "BASIC");
            o.put("aws.credentials.basic.accesskeyid", "local");
            o.put("aws.credentials.basic.secretkey", "local");
        }
        return o;
    }

    static void planAll(Map<String, String> source, boolean local, String brokenOutputKey) {
        List<SqlStatement> statements = AppHarness.statements();
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        tables.put("clickstream_raw", source);
        for (String o : LocalApp.tableNames(statements, "outputs")) {
            Map<String, String> f = firehose(o, local);
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
        planAll(kinesis("EFO", false), false, null);
    }

    @Test
    void pollingWithLocalEndpointAndBasicCredentialsPlans() {
        planAll(kinesis("POLLING", true), true, null);
    }

    @Test
    void atTimestampAndAPollingIntervalPlan() {
        // What kinesisSourceOptions() writes for startPosition AT_TIMESTAMP and two apps polling one stream.
        Map<String, String> o = kinesis("POLLING", false);
        o.put("scan.stream.initpos", "AT_TIMESTAMP");
        o.put("scan.stream.initpos-timestamp", "2026-11-27T09:00:00.000Z");
        o.put("scan.stream.initpos-timestamp-format", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        o.put("scan.shard.getrecords.intervalmillis", "400");
        planAll(o, false, null);
        o.put("scan.stream.initpos-timestamp", "27/11/2026 10:00");
        RuntimeException e = assertThrows(RuntimeException.class, () -> planAll(o, false, null));
        assertTrue(StartupException.rootMessage(e).contains("timestamp"), StartupException.rootMessage(e));
    }

    @Test
    void efoWithoutConsumerArnIsRejected() {
        Map<String, String> o = kinesis("EFO", false);
        o.remove("scan.stream.efo.consumerarn." + STREAM);
        RuntimeException e = assertThrows(RuntimeException.class, () -> planAll(o, false, null));
        assertTrue(StartupException.rootMessage(e).toLowerCase().contains("consumer"), StartupException.rootMessage(e));
    }

    @Test
    void unknownFirehoseOptionIsRejected() {
        StartupException e = assertThrows(StartupException.class,
                () -> planAll(kinesis("POLLING", false), false, "delivery_stream"));
        assertEquals("sql/outputs/active_users_1m.sql: statement 'INSERT INTO active_users_1m' failed: "
                + "Unsupported options found for 'firehose'. Unsupported options: delivery_stream", e.getMessage());
    }
}
