package com.clickstream.runner;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The production connector options, by case name, from src/test/resources/connector-options.json. That
 * file is written from the functions of lib/connector-options.ts by tests/connector-options-fixture.test.ts,
 * which fails when it is stale; so these are the options a deployment writes, never a hand-made copy.
 */
final class ConnectorOptionsFixture {
    private ConnectorOptionsFixture() {}

    private static final JsonNode CASES = load();

    private static JsonNode load() {
        try (InputStream in = ConnectorOptionsFixture.class.getResourceAsStream("/connector-options.json")) {
            if (in == null) throw new IllegalStateException("connector-options.json is not on the test classpath");
            return new ObjectMapper().readTree(in).get("cases");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The options of the named cases merged in order, a later case's keys winning (as lib/region-app.ts
     * adds the local endpoint overrides to a table's options); a new mutable map.
     */
    static Map<String, String> options(String... cases) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : cases) {
            JsonNode c = CASES.get(name);
            if (c == null) throw new IllegalArgumentException("no case '" + name + "' in connector-options.json");
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("options").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }
}
