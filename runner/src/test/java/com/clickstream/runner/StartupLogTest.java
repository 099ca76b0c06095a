package com.clickstream.runner;

import com.clickstream.runner.tools.LocalApp;
import org.apache.flink.configuration.Configuration;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the runner logs at startup (docs/CONTRACTS.md, "Startup log"), line for line. */
class StartupLogTest {
    @TempDir
    Path tmp;

    /** A small bundle: a source with event time and local credentials, one without, a view, two outputs. */
    static final List<SqlStatement> BUNDLE = List.of(
            new SqlStatement("sql/sources/clickstream_raw.sql", "CREATE TABLE clickstream_raw (payload STRING, "
                    + "proc_time AS PROCTIME(), rowtime AS COALESCE(PARSE_EVENT_TIME(payload), TIMESTAMP '1970-01-01 00:00:00.000'), "
                    + "WATERMARK FOR rowtime AS rowtime - INTERVAL '1' MINUTE)"),
            new SqlStatement("sql/sources/replay.sql", "-- a second source\nCREATE TABLE replay (payload STRING)"),
            new SqlStatement("sql/views/events_unique.sql", "CREATE VIEW events_unique AS SELECT rowtime, payload FROM clickstream_raw"),
            new SqlStatement("sql/outputs/events_1m.sql", "CREATE TABLE events_1m (window_start TIMESTAMP(3), "
                    + "window_end TIMESTAMP(3), region STRING, events BIGINT)"),
            new SqlStatement("sql/outputs/late_events.sql", "CREATE TABLE late_events (payload STRING, closed_outputs STRING)"),
            new SqlStatement("sql/outputs/events_1m.sql", "INSERT INTO events_1m SELECT window_start, window_end, SOURCE_REGION(), "
                    + "COUNT(*) FROM TABLE(TUMBLE(TABLE events_timed, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE)) "
                    + "WHERE closed_outputs IS NULL GROUP BY window_start, window_end"),
            new SqlStatement("sql/outputs/late_events.sql", "INSERT INTO late_events SELECT payload, closed_outputs FROM events_timed "
                    + "WHERE closed_outputs IS NOT NULL UNION ALL SELECT payload, 'replayed' FROM replay"));

    static Map<String, Properties> groups(Map<String, String> sourceExtra) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        Map<String, String> source = ConnectorOptionsFixture.options("kinesis-polling-created-stream", "local-kinesis-endpoint");
        source.putAll(sourceExtra);
        tables.put("clickstream_raw", source);
        tables.put("replay", ConnectorOptionsFixture.options("kinesis-polling-created-stream"));
        tables.put("events_1m", Map.of("connector", "blackhole"));
        tables.put("late_events", Map.of("connector", "blackhole"));
        return LocalApp.properties(BUNDLE, Map.of("app.name", "realtime", "source.region", "eu-west-1",
                "source.idle-timeout", "30 s"), tables);
    }

    @Test
    void logsWhatItLoadedAndThePlannedJobOneFactPerLine() {
        try (LogCapture log = LogCapture.of(SqlRunner.class)) {
            SqlRunner.prepare(groups(Map.of()), false, new Configuration()).graph();
            assertEquals(List.of(
                    "INFO runner: loaded app realtime, source region eu-west-1",
                    "INFO runner: loaded runner options: sql.groups=1, state.ttl=1 h, source.idle-timeout=30 s",
                    "INFO runner: loaded table clickstream_raw options: aws.credentials.basic.accesskeyid=****, "
                            + "aws.credentials.basic.secretkey=****, aws.credentials.provider=****, "
                            + "aws.endpoint=http://127.0.0.1:4567, aws.region=eu-west-1, aws.trust.all.certificates=true, "
                            + "connector=kinesis, format=raw, scan.stream.initpos=TRIM_HORIZON, "
                            + "scan.stream.recordpublisher=POLLING, stream=clickstream-eu",
                    "INFO runner: loaded table events_1m options: connector=blackhole",
                    "INFO runner: loaded table late_events options: connector=blackhole",
                    "INFO runner: loaded table replay options: aws.region=eu-west-1, connector=kinesis, format=raw, "
                            + "scan.stream.initpos=TRIM_HORIZON, scan.stream.recordpublisher=POLLING, stream=clickstream-eu",
                    "INFO runner: loaded statements (7)",
                    "INFO runner: loaded statement 1/7: sql/sources/clickstream_raw.sql CREATE TABLE clickstream_raw",
                    "INFO runner: loaded statement 2/7: sql/sources/replay.sql CREATE TABLE replay",
                    "INFO runner: loaded statement 3/7: sql/views/events_unique.sql CREATE VIEW events_unique",
                    "INFO runner: loaded statement 4/7: sql/outputs/events_1m.sql CREATE TABLE events_1m",
                    "INFO runner: loaded statement 5/7: sql/outputs/late_events.sql CREATE TABLE late_events",
                    "INFO runner: loaded statement 6/7: sql/outputs/events_1m.sql INSERT INTO events_1m",
                    "INFO runner: loaded statement 7/7: sql/outputs/late_events.sql INSERT INTO late_events",
                    "INFO runner: loaded outputs (2): events_1m, late_events",
                    "INFO runner: planned event time of clickstream_raw: per shard, idle after 30000 ms",
                    "INFO runner: planned sinks (2): events_1m, late_events",
                    "INFO runner: planned sources (2): clickstream_raw, replay",
                    "INFO runner: planned lateness: events_1m: windows every 60000 ms",
                    // The uid of every operator (OperatorUids): a change here is a change of the state a restore maps.
                    "INFO runner: planned operators (22): source:clickstream_raw=clickstream_raw$connector, "
                            + "calc:77adab8004a4ab93=Calc, constraintenforcer:9d4c7c8e44cb0b00=ConstraintEnforcer, "
                            + "tabletodatasteam:4fed9dca3c6867bf=TableToDataSteam, event-time:clickstream_raw=EventTime: clickstream_raw, "
                            + "clickstream-raw:97e4035c87ca6c47=clickstream_raw, calc:65023b5aec953b81=Calc, "
                            + "constraintenforcer:5093f9784d26a207=ConstraintEnforcer, tabletodatasteam:d903ea04fe1e4928=TableToDataSteam, "
                            + "lateness:events_unique=Lateness: events_unique, events-timed:e339af35b658d2c7=events_timed, "
                            + "calc:ece9f95283064ebf=Calc, localwindowaggregate:5be4243ecfc0d76f=LocalWindowAggregate, "
                            + "exchange:dea8de4bcc28f600=Exchange, globalwindowaggregate:f7291dc2d50c1755=GlobalWindowAggregate, "
                            + "calc:d0f68f279bed7659=Calc, sink:events_1m=events_1m, calc:7ba5fdc3ee904d84=Calc, "
                            + "replay:9c5391d3717444b7=replay, calc:18e743f22303da77=Calc, union:c6cfd43a2b83f088=Union, "
                            + "sink:late_events=late_events"),
                    log.lines());
        }
    }

    @Test
    void localRunsAlsoLogTheLocalRunnerOptionsTheyWereGiven() {
        Map<String, Properties> groups = groups(Map.of());
        groups.get("runner").setProperty("local.parallelism", "2");
        groups.get("runner").setProperty("state.ttl", "30 min");
        RunnerConfig config = RunnerConfig.from(groups);
        assertEquals("runner: loaded runner options: sql.groups=1, state.ttl=30 min, source.idle-timeout=30 s, "
                + "local.checkpoint.interval.ms=10000, local.parallelism=2", StartupLog.config(config, true).get(1));
        assertEquals("runner: loaded runner options: sql.groups=1, state.ttl=30 min, source.idle-timeout=30 s",
                StartupLog.config(config, false).get(1));
    }

    @Test
    void credentialKeysAreMaskedWhateverTheirSpelling() {
        for (String key : List.of("aws.credentials.basic.secretkey", "aws.credentials.provider", "s3.secret-key",
                "password", "jdbc.Password", "access-key", "fs.s3a.access.key", "aws.session-token", "SESSION_TOKEN")) {
            assertTrue(StartupLog.secret(key), key);
        }
        for (String key : List.of("aws.region", "stream", "delivery-stream", "scan.stream.efo.consumerarn.clickstream-eu",
                "aws.endpoint", "session.timeout", "access.mode")) {
            assertFalse(StartupLog.secret(key), key);
        }
    }

    /** The startup of main() with --explain (so that nothing runs if it does not fail): read the properties, prepare. */
    private static Exception startFails(Path properties) {
        return assertThrows(Exception.class, () -> SqlRunner.start(properties.toString(), null, false, true));
    }

    @Test
    void aMissingPropertiesFileIsLoggedOnceAtError() {
        Path missing = tmp.resolve("nowhere/application_properties.json");
        try (LogCapture log = LogCapture.of(SqlRunner.class)) {
            Exception e = startFails(missing);
            assertEquals(StartupException.class, e.getClass());
            assertEquals(List.of("ERROR runner: startup failed: cannot read the properties file " + missing), log.lines());
        }
    }

    @Test
    void aStartupExceptionInTheSqlIsLoggedOnceAtErrorAfterWhatWasLoaded() throws Exception {
        Map<String, Properties> groups = groups(Map.of());
        groups.remove("table.late_events");
        Path file = tmp.resolve("application_properties.json");
        Files.writeString(file, LocalApp.toJson(groups));
        try (LogCapture log = LogCapture.of(SqlRunner.class)) {
            Exception e = startFails(file);
            assertEquals(StartupException.class, e.getClass());
            String message = "sql/outputs/late_events.sql: table 'late_events' has no connector options "
                    + "(property group 'table.late_events' is missing)";
            assertEquals(message, e.getMessage());
            assertEquals(List.of("ERROR runner: startup failed: " + message), log.lines(Level.ERROR));
            assertEquals("INFO runner: loaded outputs (2): events_1m, late_events", log.lines().get(log.lines().size() - 2));
        }
    }

    @Test
    void anUnexpectedExceptionIsLoggedOnceAtErrorAsOneLineAndRethrownAsItIs() throws Exception {
        // The source's format is looked up when the runner reads the source for its event time.
        Path file = tmp.resolve("application_properties.json");
        Files.writeString(file, LocalApp.toJson(groups(Map.of("format", "bogus"))));
        try (LogCapture log = LogCapture.of(SqlRunner.class)) {
            Exception e = startFails(file);
            assertEquals(org.apache.flink.table.api.ValidationException.class, e.getClass());
            assertEquals(List.of("ERROR runner: startup failed: " + StartupException.rootMessage(e)), log.lines(Level.ERROR));
            // The planner's message has several lines (and lists the formats on the classpath): the log has one.
            assertTrue(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(log.lines(Level.ERROR).get(0).startsWith("ERROR runner: startup failed: Could not find any factory for "
                    + "identifier 'bogus' that implements 'org.apache.flink.table.factories.DeserializationFormatFactory' in the "
                    + "classpath. Available factory identifiers are: "), log.lines(Level.ERROR).get(0));
            assertFalse(log.lines(Level.ERROR).get(0).contains("\n"));
        }
    }
}
