package com.clickstream.runner;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The SQL bundle: reassembled from the {@code sql.NNN} property groups (docs/CONTRACTS.md) and parsed
 * into ordered statements.
 */
public final class SqlBundle {
    public static final int MAX_GROUPS = 50;
    public static final int MAX_KEYS = 50;
    public static final int MAX_VALUE_CHARS = 2048;

    private SqlBundle() {}

    public static String groupId(int index) {
        return String.format("sql.%03d", index);
    }

    /**
     * Concatenates groups sql.000 .. sql.(count-1) in order, and inside each group the keys in numeric
     * order. Keys must be 3-digit numbers starting at 000 with no gap; extra sql.* groups are an error.
     */
    public static String reassemble(Map<String, Properties> groups, int count) {
        if (count < 1 || count > MAX_GROUPS) {
            throw new StartupException("runtime property runner/sql.groups must be between 1 and " + MAX_GROUPS
                    + ", got " + count);
        }
        StringBuilder json = new StringBuilder();
        for (int g = 0; g < count; g++) {
            Properties group = groups.get(groupId(g));
            if (group == null || group.isEmpty()) {
                throw new StartupException("property group " + groupId(g) + " is missing (runner/sql.groups is "
                        + count + ")");
            }
            TreeMap<Integer, String> chunks = new TreeMap<>();
            for (String key : group.stringPropertyNames()) {
                if (!key.matches("\\d{3}")) {
                    throw new StartupException("property group " + groupId(g) + " has key '" + key
                            + "'; SQL chunk keys are 000 to 049");
                }
                chunks.put(Integer.parseInt(key), group.getProperty(key));
            }
            int expected = 0;
            for (Map.Entry<Integer, String> e : chunks.entrySet()) {
                if (e.getKey() != expected) {
                    throw new StartupException(String.format(
                            "property group %s lacks chunk key %03d (found %03d): the SQL bundle is incomplete",
                            groupId(g), expected, e.getKey()));
                }
                json.append(e.getValue());
                expected++;
            }
        }
        for (String id : groups.keySet()) {
            if (id.matches("sql\\.\\d+") && !(id.matches("sql\\.\\d{3}") && Integer.parseInt(id.substring(4)) < count)) {
                throw new StartupException("property group " + id + " is beyond runner/sql.groups = " + count);
            }
        }
        return json.toString();
    }

    /** Parses {"version":1,"statements":[{"file":..,"sql":..},..]}. */
    public static List<SqlStatement> parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new StartupException("the SQL bundle reassembled from the sql.NNN groups is not valid JSON: "
                    + StartupException.rootMessage(e));
        }
        if (root == null || !root.isObject() || root.path("version").asInt(-1) != 1 || !root.path("statements").isArray()) {
            throw new StartupException("the SQL bundle must be {\"version\": 1, \"statements\": [...]}");
        }
        List<SqlStatement> out = new ArrayList<>();
        int i = 0;
        for (JsonNode s : root.get("statements")) {
            if (!s.path("file").isTextual() || !s.path("sql").isTextual() || s.get("sql").asText().isBlank()) {
                throw new StartupException("SQL bundle statement #" + i + " needs a text \"file\" and a non-empty \"sql\"");
            }
            out.add(new SqlStatement(s.get("file").asText(), s.get("sql").asText()));
            i++;
        }
        if (out.isEmpty()) {
            throw new StartupException("the SQL bundle has no statements");
        }
        return out;
    }

    /** The bundle JSON for a list of statements (used by the local tools and the tests). */
    public static String toJson(List<SqlStatement> statements) {
        ObjectMapper m = new ObjectMapper();
        var root = m.createObjectNode();
        root.put("version", 1);
        var arr = root.putArray("statements");
        for (SqlStatement s : statements) {
            arr.addObject().put("file", s.file()).put("sql", s.sql());
        }
        try {
            return m.writeValueAsString(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Splits the bundle into chunks of at most {@link #MAX_VALUE_CHARS} chars, never inside a surrogate
     * pair, and lays them out as groups sql.000.. with keys 000..049. Mirrors buildRuntimeProperties()
     * in lib/runtime-properties.ts; used by the tests and the local tools.
     */
    public static Map<String, Properties> chunk(String json) {
        List<String> chunks = new ArrayList<>();
        int i = 0;
        while (i < json.length()) {
            int end = Math.min(i + MAX_VALUE_CHARS, json.length());
            if (end < json.length() && Character.isHighSurrogate(json.charAt(end - 1))) end--;
            chunks.add(json.substring(i, end));
            i = end;
        }
        Map<String, Properties> groups = new TreeMap<>();
        for (int c = 0; c < chunks.size(); c++) {
            groups.computeIfAbsent(groupId(c / MAX_KEYS), k -> new Properties())
                    .setProperty(String.format("%03d", c % MAX_KEYS), chunks.get(c));
        }
        if (groups.size() > MAX_GROUPS) {
            throw new IllegalArgumentException("SQL bundle too large: " + groups.size() + " groups");
        }
        return groups;
    }
}
