package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A bundle statement's kind and first line, whatever comments precede it. */
class SqlStatementTest {

    @Test
    void statementKinds() {
        assertEquals(SqlStatement.Kind.CREATE_TABLE, new SqlStatement("f", "-- x\nCREATE TEMPORARY TABLE t (a INT)").kind());
        assertEquals(SqlStatement.Kind.CREATE_VIEW, new SqlStatement("f", "CREATE TEMPORARY VIEW v AS SELECT 1").kind());
        assertEquals(SqlStatement.Kind.INSERT, new SqlStatement("f", "/* x */ insert into t select 1").kind());
    }

    @Test
    void firstLineSkipsLeadingComments() {
        assertEquals("CREATE TABLE a (x STRING)",
                new SqlStatement("f", "-- header; not a statement\nCREATE TABLE a (x STRING)").firstLine());
    }
}
