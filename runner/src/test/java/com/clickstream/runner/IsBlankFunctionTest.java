package com.clickstream.runner;

import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IS_BLANK(s) on Flink's internal strings is exactly Java's String.isBlank, from bytes or from a Java string. */
class IsBlankFunctionTest {

    @Test
    void blankIsJavasWhitespaceOnly() {
        IsBlankFunction f = new IsBlankFunction();
        assertTrue(f.eval(null));
        List<String> cases = List.of("", " ", "\t", "\r\n", "\u000b\f", "\u001c\u001f", " a ", "a", "é", " é",
                "\u2000", "\u3000 \t", "\u00a0", "\u2007", "\u202f", "\u2028\u2029", " \u00a0 ", "😀", "\t\u2003x");
        for (String c : cases) {
            assertEquals(c.isBlank(), f.eval(StringData.fromBytes(c.getBytes(StandardCharsets.UTF_8))), "bytes of [" + c + "]");
            assertEquals(c.isBlank(), f.eval(StringData.fromString(c)), "Java string [" + c + "]");
        }
    }
}
