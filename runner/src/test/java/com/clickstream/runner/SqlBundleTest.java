package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static com.clickstream.runner.TestProps.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The SQL bundle: chunk reassembly from the sql.NNN groups, chunking, and the bundle JSON. */
class SqlBundleTest {

    @Test
    void chunksReassembleInGroupThenNumericKeyOrder() {
        Map<String, Properties> g = new TreeMap<>();
        Properties g0 = new Properties();
        for (int i = 0; i < 50; i++) g0.setProperty(String.format("%03d", i), "a" + i + ",");
        g.put("sql.000", g0);
        g.put("sql.001", of("001", "Z", "000", "Y"));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) expected.append("a").append(i).append(',');
        expected.append("YZ");
        assertEquals(expected.toString(), SqlBundle.reassemble(g, 2));
    }

    @Test
    void chunkGapsMissingAndExtraGroupsFail() {
        Map<String, Properties> g = new TreeMap<>();
        g.put("sql.000", of("000", "a", "002", "c"));
        assertEquals("property group sql.000 lacks chunk key 001 (found 002): the SQL bundle is incomplete",
                assertThrows(StartupException.class, () -> SqlBundle.reassemble(g, 1)).getMessage());
        assertEquals("property group sql.001 is missing (runner/sql.groups is 2)",
                assertThrows(StartupException.class, () -> SqlBundle.reassemble(
                        Map.of("sql.000", of("000", "a")), 2)).getMessage());
        assertEquals("property group sql.001 is beyond runner/sql.groups = 1",
                assertThrows(StartupException.class, () -> SqlBundle.reassemble(
                        Map.of("sql.000", of("000", "a"), "sql.001", of("000", "b")), 1)).getMessage());
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
}
