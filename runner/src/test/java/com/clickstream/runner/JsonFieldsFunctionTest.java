package com.clickstream.runner;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.api.JsonQueryOnEmptyOrError;
import org.apache.flink.table.api.JsonQueryWrapper;
import org.apache.flink.table.api.JsonValueOnEmptyOrError;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.functions.SqlJsonUtils;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON_FIELDS and the bounded PARSE_EVENT_TIME: exact inputs and outputs. */
class JsonFieldsFunctionTest {

    /** The internal map JSON_FIELDS returns, as Java strings (null stays null). */
    static Map<String, String> map(org.apache.flink.table.data.MapData m) {
        if (m == null) return null;
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i < m.size(); i++) out.put(m.keyArray().getString(i).toString(), m.valueArray().getString(i).toString());
        return out;
    }

    private static Map<String, String> fields(String payload) {
        Map<String, String> m = map(new JsonFieldsFunction().eval(payload));
        return m == null ? null : new TreeMap<>(m);
    }

    @Test
    void scalarsAsTextObjectsAndArraysAsJsonUnderDollarDot() {
        assertEquals(new TreeMap<>(Map.of(
                        "event_id", "e1",
                        "n", "1795168830000",
                        "d", "129.9",
                        "b", "true",
                        "s", "{\"campaign\":\"bf\"}",
                        "page.url", "/p1",
                        "page.type", "product",
                        "$.page", "{\"url\":\"/p1\",\"type\":\"product\"}",
                        "$.tags", "[\"a\",1]",
                        "$.empty", "{}")),
                fields("{\"event_id\":\"e1\",\"n\":1795168830000,\"d\":129.90,\"b\":true,\"nul\":null,"
                        + "\"s\":\"{\\\"campaign\\\":\\\"bf\\\"}\",\"page\":{\"url\":\"/p1\",\"type\":\"product\"},"
                        + "\"tags\":[\"a\",1],\"empty\":{}}"));
    }

    @Test
    void nestedScalarsThroughObjectsOnlyUnderTheirDottedPath() {
        assertEquals(new TreeMap<>(Map.of(
                        "page.url", "/p",
                        "page.n.x", "1.5",
                        "page.n.ok", "true",
                        "$.page", "{\"url\":\"/p\",\"n\":{\"x\":1.5,\"ok\":true,\"nul\":null,\"a.b\":1},\"list\":[{\"y\":1}]}")),
                fields("{\"page\":{\"url\":\"/p\",\"n\":{\"x\":1.5,\"ok\":true,\"nul\":null,\"a.b\":1},\"list\":[{\"y\":1}]}}"));
        // a top-level name with a dot has no key: '$.page.url' reads the nested path, never the key "page.url"
        assertEquals(new TreeMap<>(Map.of("page.url", "/nested", "$.page", "{\"url\":\"/nested\"}")),
                fields("{\"page.url\":\"/top\",\"page.only\":\"x\",\"page\":{\"url\":\"/nested\"}}"));
        assertEquals(Map.of(), fields("{\"a.b\":{\"c\":1},\"$.x\":\"y\",\"page.url\":\"/top\"}"));
        // a top-level object named "$" is not flattened into keys that look like JSON entries
        assertEquals(Map.of("$.$", "{\"context\":\"x\"}"), fields("{\"$\":{\"context\":\"x\"}}"));
        for (String name : List.of("$", "é", "a-b")) {
            String p = "{\"" + name + "\":{\"c\":1}}";
            assertEquals(SqlJsonUtils.jsonQuery(p, "$." + name, SqlJsonUtils.JsonQueryReturnType.STRING, JsonQueryWrapper.WITHOUT_ARRAY,
                    JsonQueryOnEmptyOrError.NULL, JsonQueryOnEmptyOrError.NULL), fields(p).get("$." + name), "JSON_QUERY $." + name);
        }
    }

    /** Only names that a JSONPath in dot notation reads as themselves are flattened; the others have no key. */
    @Test
    void flattensPathNamesOnly() throws Exception {
        List<String> plain = List.of("a-b", "é", "a_1", "A", "0", "a:b", "a$");
        List<String> other = List.of("a b", "a(x)", "$x", "a[0]", "a*", "a'b", "a\"b", "a@b", "", "a\tb");
        Map<String, Object> page = new LinkedHashMap<>();
        for (String n : plain) page.put(n, page.size());
        for (String n : other) page.put(n, page.size());
        String p = new ObjectMapper().writeValueAsString(Map.of("page", page));
        Map<String, String> f = map(new JsonFieldsFunction().eval(p));
        for (String n : plain) {
            assertTrue(JsonFieldsFunction.isPathName(n), n);
            Object v = SqlJsonUtils.jsonValue(p, "$.page." + n, JsonValueOnEmptyOrError.NULL, null, JsonValueOnEmptyOrError.NULL, null);
            assertEquals(v == null ? null : v.toString(), f.get("page." + n), "JSON_VALUE $.page." + n);
            assertEquals(String.valueOf(plain.indexOf(n)), f.get("page." + n), n);
        }
        for (String n : other) {
            assertEquals(false, JsonFieldsFunction.isPathName(n), n);
            assertNull(f.get("page." + n), n);
        }
        assertEquals(plain.size() + 1, f.size()); // the flattened plain names and "$.page"
        // whitespace as Java defines it (lib/ka/app.ts isPathName follows the same rule)
        assertTrue(JsonFieldsFunction.isPathName("a\u00a0b"));
        assertEquals(false, JsonFieldsFunction.isPathName("a\u2003b"));
    }

    @Test
    void notAJsonObjectIsNull() {
        assertNull(fields(null));
        assertNull(fields("not json at all"));
        assertNull(fields("[1,2,3]"));
        assertNull(fields("\"a string\""));
        assertNull(fields("42"));
        assertNull(fields("{\"a\":"));
        assertNull(fields(""));
        assertEquals(Map.of(), fields("{}"));
    }

    @Test
    void duplicateKeysLastWinsAndADollarDotNameHasNoKey() {
        assertEquals(Map.of("a", "2"), fields("{\"a\":\"1\",\"a\":2}"));
        assertEquals(Map.of("$.page", "{\"url\":\"/x\"}", "page.url", "/x"), fields("{\"$.page\":\"text\",\"page\":{\"url\":\"/x\"}}"));
    }

    @Test
    void keysStayRightWhenPayloadsBringMoreKeysThanAreCached() {
        JsonFieldsFunction f = new JsonFieldsFunction();
        for (int i = 0; i < 10_000; i++) {
            String name = "k" + i;
            assertEquals(Map.of(name, String.valueOf(i), "a", "x"), map(f.eval("{\"" + name + "\":" + i + ",\"a\":\"x\"}")), name);
        }
        assertEquals(Map.of("é😀", "1", "page.url", "/p", "$.page", "{\"url\":\"/p\"}"), map(f.eval("{\"é😀\":1,\"page\":{\"url\":\"/p\"}}")));
    }

    @Test
    void memoizesTheLastRecordOnly() {
        JsonFieldsFunction f = new JsonFieldsFunction();
        String a = "{\"a\":1}";
        org.apache.flink.table.data.MapData first = f.eval(a);
        assertSame(first, f.eval(a));
        assertSame(first, f.eval(new String(a))); // equal text, same (immutable) result
        assertEquals(Map.of("a", "2"), map(f.eval("{\"a\":2}")));
        assertEquals(Map.of("a", "1"), map(f.eval(a)));
        assertNull(f.eval("x"));
        assertNull(f.eval("x"));
    }

    /** f['x'] = JSON_VALUE(payload, '$.x') and f['$.x'] = JSON_QUERY(payload, '$.x'), with Flink's own functions. */
    @Test
    void sameValuesAsFlinksJsonValueAndJsonQuery() {
        List<String> payloads = List.of(
                "{\"event_id\":\"e1\",\"site\":\"  \",\"country\":{\"iso\":\"DE\"},\"user_id\":null,\"n\":1795168830000,"
                        + "\"big\":123456789012345678901234567890,\"d\":1.7642385E12,\"d2\":129.90,\"neg\":-0.0,\"b\":false,"
                        + "\"page\":{\"url\":\"/p\",\"type\":\"product\",\"n\":{\"x\":1.50}},\"arr\":[{\"url\":\"/a\"}],"
                        + "\"context\":\"{\\\"campaign\\\":\\\"bf-2026\\\",\\\"cart_value\\\":129.90}\",\"u\":\"\\u00e9\\ud83d\\ude00\"}",
                "{\"context\":{\"campaign\":\"c\",\"cart_value\":\"20.10\"},\"page\":[1,2],\"device\":{}}",
                "{\"page\":\"{\\\"url\\\":\\\"/not-an-object\\\"}\",\"s\":\"[1]\"}");
        List<String> keys = List.of("event_id", "site", "country", "user_id", "n", "big", "d", "d2", "neg", "b",
                "page", "arr", "context", "u", "device", "s", "missing");
        for (String p : payloads) {
            Map<String, String> f = map(new JsonFieldsFunction().eval(p));
            for (String k : keys) {
                Object v = SqlJsonUtils.jsonValue(p, "$." + k, JsonValueOnEmptyOrError.NULL, null,
                        JsonValueOnEmptyOrError.NULL, null);
                assertEquals(v == null ? null : v.toString(), f.get(k), p + " JSON_VALUE $." + k);
                Object q = SqlJsonUtils.jsonQuery(p, "$." + k, SqlJsonUtils.JsonQueryReturnType.STRING,
                        JsonQueryWrapper.WITHOUT_ARRAY, JsonQueryOnEmptyOrError.NULL, JsonQueryOnEmptyOrError.NULL);
                assertEquals(q, f.get("$." + k), p + " JSON_QUERY $." + k);
            }
            // the flattened nested keys = JSON_VALUE of the nested path on the payload
            for (String path : List.of("page.url", "page.type", "page.n", "page.n.x", "page.missing", "country.iso",
                    "context.campaign", "context.cart_value", "device.type", "arr.url")) {
                Object v = SqlJsonUtils.jsonValue(p, "$." + path, JsonValueOnEmptyOrError.NULL, null,
                        JsonValueOnEmptyOrError.NULL, null);
                assertEquals(v == null ? null : v.toString(), f.get(path), p + " JSON_VALUE $." + path);
            }
            // nested reads from the object's JSON text = the nested path on the payload
            for (String nested : List.of("url", "type", "n.x")) {
                Object direct = SqlJsonUtils.jsonValue(p, "$.page." + nested, JsonValueOnEmptyOrError.NULL, null,
                        JsonValueOnEmptyOrError.NULL, null);
                Object viaFields = f.get("$.page") == null ? null : SqlJsonUtils.jsonValue(f.get("$.page"), "$." + nested,
                        JsonValueOnEmptyOrError.NULL, null, JsonValueOnEmptyOrError.NULL, null);
                assertEquals(direct == null ? null : direct.toString(), viaFields == null ? null : viaFields.toString(),
                        p + " $.page." + nested);
            }
        }
        for (String p : List.of("not json", "[1]", "{\"a\":1}", "{}", " {\"a\":1} ")) {
            assertEquals(SqlJsonUtils.isJsonObject(p), map(new JsonFieldsFunction().eval(p)) != null, p);
        }
        // Exactly one object: Flink's IS JSON OBJECT accepts text after it, JSON_FIELDS does not.
        for (String p : List.of("{\"a\":1} trailing", "{\"a\":1}{\"a\":2}", "{\"a\":1} {\"b\":2}", "{\"a\":1} x", "{\"a\":1}]")) {
            assertNull(map(new JsonFieldsFunction().eval(p)), p);
        }
        assertEquals(true, SqlJsonUtils.isJsonObject("{\"a\":1}{\"a\":2}"));
        assertEquals(Map.of("a", "1"), map(new JsonFieldsFunction().eval("{\"a\":1} \r\n\t")));
    }

    /** Each entry as "key=value", in the map's order (null stays null). */
    private static List<String> entries(Map<?, ?> m) {
        if (m == null) return null;
        List<String> out = new java.util.ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) out.add(e.getKey() + "=" + e.getValue());
        return out;
    }

    /**
     * The one pass over the parser's tokens gives the tree parse's answer, entry by entry and in the same
     * order: on edge cases, on events like the benchmark's (where the one pass must answer alone), and on
     * 30,000 random edits of both, most of them not JSON.
     */
    @Test
    void onePassGivesTheTreeParsesAnswer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        List<String> edge = List.of(
                "{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":null}", "{\"a\":null,\"a\":1}", "{\"p\":{\"x\":1,\"x\":2}}",
                "{\"p\":{\"x\":1},\"p\":{\"y\":2}}", "{\"p\":{\"x\":1},\"p\":3}", "{\"p\":3,\"p\":[1]}", "{\"l\":[{\"a\":1,\"a\":2}]}",
                "{\"a.b\":{\"c\":1}}", "{\"a.b\":[1]}", "{\"a.b\":1,\"c\":2}", "{\"$\":{\"c\":1}}", "{\"$x\":1,\"$.y\":2}",
                "{\"n\":-0,\"m\":-0.0,\"f\":1e2,\"g\":1E-7,\"h\":123456789012345678901234567890,\"i\":2147483648,"
                        + "\"j\":-2147483649,\"k\":9223372036854775808,\"l\":1.0000000000000001,\"big\":1e400,\"tiny\":1e-400,\"d\":0.1}",
                "{\"page\":{\"n\":-0,\"m\":-0.0,\"f\":1e2,\"h\":123456789012345678901234567890,\"big\":-1e400,\"a\":[1.50,2e0,true,null]}}",
                "{\"s\":\"\\u0000\\u001f\\\"\\\\\\/\\b\\f\\n\\r\\t\\u2028\\ud83d\\ude00\",\"page\":{\"s\":\"\\u0000\\u007f\\u2028\\ud800 é\"}}",
                "{\"a\":{\"b\":{\"c\":{\"d\":[{\"e\":1}],\"f\":{}}}},\"e\":[],\"o\":{},\"x\":[[[]],{}]}",
                "{ \"a\" : { \"b\" : 1 , \"c d\" : {\"e\":2} } , \"t\" : true , \"f\" : false , \"z\" : null }",
                "{\"page\":{\"url\":\"/p\",\"n\":{\"x\":1.5,\"ok\":true,\"nul\":null,\"a.b\":1},\"list\":[{\"y\":1}]}}",
                "{\"a\":1} x", "{\"a\":1}{\"b\":2}", "{\"a\":1}]", " {\"a\":1} \r\n\t", "{\"a\":{\"b\":1}} {", "[1]", "1", "\"s\"",
                "null", "true", "", "  ", "{", "{\"a\"", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}", "{\"a\":NaN}", "{\"a\":01}",
                "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":1/*c*/}", "{\"a\":[1,]}", "{\"a\":{\"b\":1,}}", "{}", "{\"\":1,\"o\":{\"\":2}}");
        java.nio.file.Path events = dir.resolve("events.jsonl");
        com.clickstream.runner.tools.GenerateEvents.main(new String[] {"--events", "3000", "--out", events.toString()});
        List<String> generated = java.nio.file.Files.readAllLines(events);
        List<String> corpus = new java.util.ArrayList<>(edge);
        corpus.addAll(generated);
        java.util.SplittableRandom r = new java.util.SplittableRandom(20261201L);
        String alphabet = "{}[]\":,.$ \\0123456789eE+-tnfrulsaé\u2028";
        int bases = corpus.size();
        for (int i = 0; i < 30_000; i++) {
            StringBuilder b = new StringBuilder(corpus.get(r.nextInt(bases)));
            for (int edits = 1 + r.nextInt(3); edits > 0 && b.length() > 0; edits--) {
                int at = r.nextInt(b.length());
                char c = alphabet.charAt(r.nextInt(alphabet.length()));
                switch (r.nextInt(3)) {
                    case 0: b.insert(at, c); break;
                    case 1: b.deleteCharAt(at); break;
                    default: b.setCharAt(at, c);
                }
            }
            corpus.add(b.toString());
        }
        JsonFieldsFunction f = new JsonFieldsFunction();
        int objects = 0;
        for (String p : corpus) {
            List<String> tree = entries(f.fieldsByTree(p));
            assertEquals(tree, entries(f.internalFields(p)), p);
            if (tree != null) objects++;
        }
        assertTrue(objects > 10_000, "the edits leave many objects: " + objects);
        for (String p : generated) {
            if (f.fieldsByTree(p) != null) assertEquals(entries(f.fieldsByTree(p)), entries(f.streamed(p)), "answered in one pass: " + p);
        }
    }

    private static LocalDateTime bounded(ParseEventTimeFunction f, String value, TimestampData lo, TimestampData hi) {
        TimestampData t = f.eval(value == null ? null : StringData.fromString(value), lo, hi);
        return t == null ? null : t.toLocalDateTime();
    }

    @Test
    void boundedEventTime() {
        ParseEventTimeFunction f = new ParseEventTimeFunction();
        TimestampData lo = TimestampData.fromLocalDateTime(LocalDateTime.of(2000, 1, 1, 0, 0));
        LocalDateTime hiTime = LocalDateTime.of(2026, 11, 21, 10, 0, 0, 500_000_000);
        TimestampData hi = TimestampData.fromLocalDateTime(hiTime);
        assertEquals(LocalDateTime.of(2000, 1, 1, 0, 0), bounded(f, "2000-01-01T00:00:00Z", lo, hi));
        assertNull(bounded(f, "1999-12-31T23:59:59.999Z", lo, hi));
        assertEquals(hiTime, bounded(f, "2026-11-21T10:00:00.500Z", lo, hi));
        assertNull(bounded(f, "2026-11-21T10:00:00.501Z", lo, hi));
        assertEquals(LocalDateTime.of(2026, 11, 20, 10, 0, 30), bounded(f, "1795168830000", lo, hi));
        assertNull(bounded(f, "2026-11-20T10:02:00", lo, hi)); // no zone: unparsable
        assertNull(bounded(f, null, lo, hi));
        assertNull(bounded(f, "2026-11-20T10:00:00Z", null, hi));
    }
}
