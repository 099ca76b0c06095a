package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pure logic: property parsing, chunk reassembly, DDL rewriting, statement splitting, event time. */
class UnitTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return p;
    }

    private static Map<String, Properties> runnerOnly(String... kv) {
        Map<String, Properties> g = new TreeMap<>();
        g.put("runner", props(kv));
        return g;
    }

    @Test
    void runnerPropertiesParsedWithDefaults() {
        Map<String, Properties> g = runnerOnly("app.name", "realtime", "source.region", "eu-west-1", "sql.groups", "2");
        g.put("table.clicks_1m", props("format", "json", "connector", "firehose"));
        RunnerConfig c = RunnerConfig.from(g);
        assertEquals("realtime", c.appName());
        assertEquals("eu-west-1", c.sourceRegion());
        assertEquals(2, c.sqlGroups());
        assertEquals(10_000L, c.localCheckpointIntervalMs());
        assertNull(c.localParallelism());
        assertEquals("1 h", c.stateTtl());
        assertEquals(List.of("connector", "format"), List.copyOf(c.tableOptions().get("clicks_1m").keySet()));
    }

    @Test
    void runnerPropertiesLocalOverrides() {
        RunnerConfig c = RunnerConfig.from(runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "1",
                "local.checkpoint.interval.ms", "500", "local.parallelism", "2"));
        assertEquals(500L, c.localCheckpointIntervalMs());
        assertEquals(2, c.localParallelism());
    }

    @Test
    void missingRunnerPropertiesFailWithOneMessage() {
        assertEquals("property group 'runner' is missing",
                assertThrows(StartupException.class, () -> RunnerConfig.from(new TreeMap<>())).getMessage());
        assertEquals("runtime property runner/source.region is missing",
                assertThrows(StartupException.class, () -> RunnerConfig.from(
                        runnerOnly("app.name", "a", "sql.groups", "1"))).getMessage());
        assertEquals("runtime property runner/sql.groups must be an integer, got 'two'",
                assertThrows(StartupException.class, () -> RunnerConfig.from(
                        runnerOnly("app.name", "a", "source.region", "r", "sql.groups", "two"))).getMessage());
    }

    @Test
    void chunksReassembleInGroupThenNumericKeyOrder() {
        Map<String, Properties> g = new TreeMap<>();
        Properties g0 = new Properties();
        for (int i = 0; i < 50; i++) g0.setProperty(String.format("%03d", i), "a" + i + ",");
        g.put("sql.000", g0);
        g.put("sql.001", props("001", "Z", "000", "Y"));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) expected.append("a").append(i).append(',');
        expected.append("YZ");
        assertEquals(expected.toString(), SqlBundle.reassemble(g, 2));
    }

    @Test
    void chunkGapsMissingAndExtraGroupsFail() {
        Map<String, Properties> g = new TreeMap<>();
        g.put("sql.000", props("000", "a", "002", "c"));
        assertEquals("property group sql.000 lacks chunk key 001 (found 002): the SQL bundle is incomplete",
                assertThrows(StartupException.class, () -> SqlBundle.reassemble(g, 1)).getMessage());
        assertEquals("property group sql.001 is missing (runner/sql.groups is 2)",
                assertThrows(StartupException.class, () -> SqlBundle.reassemble(
                        Map.of("sql.000", props("000", "a")), 2)).getMessage());
        assertEquals("property group sql.001 is beyond runner/sql.groups = 1",
                assertThrows(StartupException.class, () -> SqlBundle.reassemble(
                        Map.of("sql.000", props("000", "a"), "sql.001", props("000", "b")), 1)).getMessage());
    }

    @Test
    void chunkingNeverSplitsASurrogatePairAndRoundTrips() {
        StringBuilder s = new StringBuilder();
        s.append("x".repeat(2047)).append("\uD83D\uDED2"); // a cart emoji straddles the 2048 boundary
        s.append("y".repeat(3000));
        Map<String, Properties> g = SqlBundle.chunk(s.toString());
        assertEquals(2047, g.get("sql.000").getProperty("000").length());
        assertEquals("\uD83D\uDED2", g.get("sql.000").getProperty("001").substring(0, 2));
        assertEquals(s.toString(), SqlBundle.reassemble(g, 1));
    }

    @Test
    void bundleJsonParsesToStatements() {
        String json = "{\"version\":1,\"statements\":[{\"file\":\"sql/sources/a.sql\",\"sql\":\"CREATE TABLE a (x INT)\"}]}";
        assertEquals(List.of(new SqlStatement("sql/sources/a.sql", "CREATE TABLE a (x INT)")), SqlBundle.parse(json));
        assertEquals("the SQL bundle must be {\"version\": 1, \"statements\": [...]}",
                assertThrows(StartupException.class, () -> SqlBundle.parse("{\"version\":2,\"statements\":[]}")).getMessage());
    }

    @Test
    void createTableNames() {
        assertEquals("clicks_1m", DdlRewriter.createTableName("CREATE TABLE clicks_1m (\n a INT\n)"));
        assertEquals("clicks_1m", DdlRewriter.createTableName("-- c\n/* b */ create temporary table IF NOT EXISTS `cat`.db.`clicks_1m`(a INT)"));
        assertEquals("if", DdlRewriter.createTableName("CREATE TABLE `if` (a INT)"));
        assertNull(DdlRewriter.createTableName("CREATE VIEW v AS SELECT 1"));
        assertEquals(SqlStatement.Kind.CREATE_TABLE, new SqlStatement("f", "-- x\nCREATE TEMPORARY TABLE t (a INT)").kind());
        assertEquals(SqlStatement.Kind.CREATE_VIEW, new SqlStatement("f", "CREATE TEMPORARY VIEW v AS SELECT 1").kind());
        assertEquals(SqlStatement.Kind.INSERT, new SqlStatement("f", "/* x */ insert into t select 1").kind());
    }

    @Test
    void withClauseQuotesAndEscapesSortedOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("stream", "clicks");
        o.put("connector", "kinesis");
        o.put("weird", "it's");
        assertEquals("CREATE TABLE t (a INT) -- trailing comment\n"
                        + "WITH (\n  'connector' = 'kinesis',\n  'stream' = 'clicks',\n  'weird' = 'it''s'\n)",
                DdlRewriter.appendWith("CREATE TABLE t (a INT) -- trailing comment\n", o));
    }

    @Test
    void statementSplitterRespectsLiteralsAndComments() {
        String text = "-- header; not a statement\nCREATE TABLE a (x STRING); -- tail\n"
                + "INSERT INTO a SELECT ';' || `we;ird` /* ; */ FROM b;\n-- only a comment;\n";
        assertEquals(List.of("-- header; not a statement\nCREATE TABLE a (x STRING)",
                        "-- tail\nINSERT INTO a SELECT ';' || `we;ird` /* ; */ FROM b"),
                SqlText.splitStatements(text));
        assertEquals("CREATE TABLE a (x STRING)",
                new SqlStatement("f", "-- header; not a statement\nCREATE TABLE a (x STRING)").firstLine());
    }

    @Test
    void eventTimeParsing() {
        ParseEventTimeFunction f = new ParseEventTimeFunction();
        assertEquals(LocalDateTime.of(2026, 11, 27, 9, 15, 30, 123_000_000), f.eval("2026-11-27T10:15:30.123+01:00"));
        assertEquals(LocalDateTime.of(2026, 11, 27, 10, 15, 30), f.eval("2026-11-27T10:15:30Z"));
        assertEquals(LocalDateTime.of(2026, 11, 27, 9, 15, 30), f.eval("2026-11-27T10:15:30+01:00[Europe/Paris]"));
        // 1795168800000 ms = 2026-11-20T10:00:00Z
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0), f.eval("1795168800000"));
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0), f.eval("1.7951688E12"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 1_000_000), f.eval("1"));
        assertNull(f.eval("2026-11-27T10:15:30")); // no zone
        assertNull(f.eval("27/11/2026 10:15"));
        assertNull(f.eval("1795168800000.5"));
        assertNull(f.eval("99999999999999999999"));
        assertNull(f.eval(""));
        assertNull(f.eval(null));
    }
}
