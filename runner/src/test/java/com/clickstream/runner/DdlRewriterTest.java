package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading the name of a CREATE TABLE and appending its WITH (...) clause. */
class DdlRewriterTest {

    @Test
    void createTableNames() {
        assertEquals("clicks_1m", DdlRewriter.createTableName("CREATE TABLE clicks_1m (\n a INT\n)"));
        assertEquals("clicks_1m", DdlRewriter.createTableName("-- c\n/* b */ create temporary table IF NOT EXISTS `cat`.db.`clicks_1m`(a INT)"));
        assertEquals("if", DdlRewriter.createTableName("CREATE TABLE `if` (a INT)"));
        assertNull(DdlRewriter.createTableName("CREATE VIEW v AS SELECT 1"));
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
}
