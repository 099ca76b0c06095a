package com.clickstream.runner;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Startup errors fail fast with ONE message that names the file and the statement. No job runs. */
class StartupErrorsTest {
    @TempDir
    Path tmp;

    private String failure(List<SqlStatement> statements) {
        return failure(AppHarness.properties(statements, tmp.resolve("in.jsonl"), tmp.resolve("out"), Map.of()));
    }

    private String failure(Map<String, Properties> groups) {
        StartupException e = assertThrows(StartupException.class,
                () -> SqlRunner.prepare(groups, true, new Configuration()).execute());
        assertEquals(null, e.getCause());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void syntaxErrorNamesFileAndStatement() {
        String m = failure(AppHarness.edit(AppHarness.statements(), "sql/views/1_events_parsed.sql",
                sql -> sql.replace("FROM clickstream_raw", "FORM clickstream_raw")));
        assertTrue(m.startsWith("sql/views/1_events_parsed.sql: statement 'CREATE VIEW events_parsed AS' failed: "), m);
        assertTrue(m.contains("Encountered"), m);
    }

    @Test
    void unknownTableNamesFileAndStatement() {
        String m = failure(AppHarness.edit(AppHarness.statements(), "sql/outputs/clicks_1m.sql",
                sql -> sql.replace("TABLE events_on_time", "TABLE no_such_view")));
        assertTrue(m.startsWith("sql/outputs/clicks_1m.sql: statement 'INSERT INTO clicks_1m' failed: "), m);
        assertTrue(m.contains("no_such_view"), m);
    }

    @Test
    void updatingResultIntoAppendOnlySinkNamesItsFile() {
        // A non-windowed GROUP BY produces updates; the (Firehose-like) sink takes inserts only.
        String m = failure(AppHarness.edit(AppHarness.statements(), "sql/outputs/clicks_1m.sql",
                sql -> sql.startsWith("INSERT") ? "INSERT INTO clicks_1m\n"
                        + "SELECT CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS TIMESTAMP(3)), SOURCE_REGION(), site, country, "
                        + "'x', COUNT(*) FROM events_unique GROUP BY site, country" : sql));
        assertTrue(m.startsWith("sql/outputs/clicks_1m.sql: statement 'INSERT INTO clicks_1m' failed: "), m);
        assertTrue(m.contains("update"), m);
    }

    @Test
    void tableWithoutOptionsAndOptionsWithoutTable() {
        Map<String, Properties> groups = AppHarness.properties(AppHarness.statements(), tmp.resolve("in.jsonl"),
                tmp.resolve("out"), Map.of());
        groups.remove("table.clicks_1m");
        Properties stray = new Properties();
        stray.setProperty("connector", "firehose");
        groups.put("table.clicks_5m", stray);
        assertEquals("sql/outputs/clicks_1m.sql: table 'clicks_1m' has no connector options (property group "
                        + "'table.clicks_1m' is missing); property group 'table.clicks_5m' has no matching CREATE TABLE "
                        + "clicks_5m in the SQL bundle",
                failure(groups));
    }

    @Test
    void missingSqlGroup() {
        Map<String, Properties> groups = AppHarness.properties(AppHarness.statements(), tmp.resolve("in.jsonl"),
                tmp.resolve("out"), Map.of());
        groups.get("runner").setProperty("sql.groups", "2");
        assertEquals("property group sql.001 is missing (runner/sql.groups is 2)", failure(groups));
    }
}
