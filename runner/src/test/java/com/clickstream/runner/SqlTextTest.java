package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Splitting a SQL file into statements. */
class SqlTextTest {

    @Test
    void statementSplitterRespectsLiteralsAndComments() {
        String text = "-- header; not a statement\nCREATE TABLE a (x STRING); -- tail\n"
                + "INSERT INTO a SELECT ';' || `we;ird` /* ; */ FROM b;\n-- only a comment;\n";
        assertEquals(List.of("-- header; not a statement\nCREATE TABLE a (x STRING)",
                        "-- tail\nINSERT INTO a SELECT ';' || `we;ird` /* ; */ FROM b"),
                SqlText.splitStatements(text));
    }
}
