package com.clickstream.runner;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.io.SegmentedStringWriter;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.util.BufferRecycler;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectReader;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.shaded.com.jayway.jsonpath.spi.json.JacksonJsonProvider;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON_FIELDS(payload): parses a JSON object ONCE and returns its fields as a
 * {@code MAP<STRING, STRING>}, so that SQL reads every field of a record from one parse instead of one
 * JSON_VALUE (one full parse) per field:
 * <ul>
 *   <li>{@code f['name']} = exactly what {@code JSON_VALUE(payload, '$.name')} returns: the text of a
 *       string, number or boolean; absent (NULL) for a JSON null, an object, an array or a missing
 *       field;</li>
 *   <li>{@code f['a.b']} = exactly what {@code JSON_VALUE(payload, '$.a.b')} returns, for every scalar
 *       reached from the root through objects only (any depth: {@code f['page.url']},
 *       {@code f['page.n.x']}), so that nested fields cost no second parse; only names that a JSONPath in
 *       dot notation reads as themselves are flattened ({@link #isPathName}); nothing inside an array is.</li>
 *   <li>{@code f['$.name']} = exactly what {@code JSON_QUERY(payload, '$.name')} returns: the JSON text of
 *       a top-level object or array; absent (NULL) otherwise. Read what the flattened keys do not cover
 *       from it, e.g. {@code JSON_VALUE(f['$.items'], '$[0].sku')}.</li>
 * </ul>
 * A top-level name that contains a dot has no key ({@code '$.a.b'} reads a nested path, never the key
 * {@code "a.b"}): read it with {@code JSON_VALUE(payload, '$[''a.b'']')}. So the kinds of key never meet.
 *
 * <p>Returns NULL when the payload is NULL or not exactly one JSON object: a payload with anything but
 * whitespace after the object (two objects glued together, {@code {..} x}) is not one, although Flink's
 * {@code IS JSON OBJECT} accepts it.
 *
 * <p>Parsing and rendering use the same JSON provider as Flink's own JSON_VALUE / JSON_QUERY / IS JSON
 * ({@code SqlJsonUtils}: Jayway's JacksonJsonProvider, numbers rendered with {@code toString()}), so the
 * values are identical to theirs. Never throws.
 *
 * <p>The planner copies a deterministic call into every expression that reads a column computed by it
 * when it merges projections (and code generation evaluates each copy): the last input and result are
 * therefore memoized, so that repeated calls on the same record cost a string comparison, not a parse.
 * The function stays deterministic (same input, same result).
 *
 * <p>It returns Flink's internal map ({@link MapData} of {@link StringData}) directly: a {@code java.util.Map}
 * result was converted to the internal format by the planner on every call, i.e. twice per record (the
 * {@code fields} and the {@code rowtime} columns), memoized or not (docs/BENCHMARKS.md, "Profile"). It is a
 * hash map ({@link GenericMapData}), so that {@code fields['x']} is one hash look-up rather than a scan of
 * the keys, and its values are encoded to UTF-8 only when something reads them.
 *
 * <p>One pass over the parser's tokens builds the map and renders the JSON text of objects and arrays
 * ({@link #streamed}). Whatever that pass does not decide alone goes to the parse into a tree that Flink's
 * JSON functions use ({@link #fieldsByTree}): a syntax error, a name that occurs twice in one object (the
 * last value wins there), a top-level object or array under a name with a dot. JsonFieldsFunctionTest holds
 * the two to the same answer, entry by entry and in the same order.
 */
public final class JsonFieldsFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    /** Prefix of the keys that hold the JSON text of object and array fields. */
    public static final String JSON_PREFIX = "$.";

    private transient JacksonJsonProvider provider;
    /** The provider's own reader, which also rejects text after the JSON value ({@code {..}{..}}, {@code {..} x}). */
    private transient ObjectReader strictReader;
    /** The provider's parser and generator factory: the one pass reads and writes JSON exactly as the tree does. */
    private transient JsonFactory factory;
    /** Buffers for the JSON text of objects and arrays (a writer gives its text once, then its buffers back). */
    private transient BufferRecycler buffers;
    private static final int KEYS_CACHED = 4096;
    /** Encoded keys by parent path ("" for top-level names, "$" for JSON entries) and name. */
    private transient Map<String, Map<String, Key>> keys;
    private transient int keysCached;
    /** Nested scalars and JSON entries of the record being read, in order, as key, value, key, value... */
    private transient List<StringData> nested;
    private transient List<StringData> json;
    private transient String lastInput;
    private transient MapData lastResult;

    /** The one pass leaves the record to the tree parse (a preallocated signal, not an error). */
    private static final class TreeDecides extends Exception {
        private static final long serialVersionUID = 1L;

        TreeDecides() {
            super(null, null, false, false);
        }
    }

    private static final TreeDecides TREE_DECIDES = new TreeDecides();

    /** A key's text (the parent path of what is under it) and its internal string, encoded once. */
    private static final class Key {
        final String text;
        final StringData data;

        Key(String text) {
            this.text = text;
            this.data = StringData.fromBytes(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    public @DataTypeHint(value = "MAP<STRING, STRING>", bridgedTo = MapData.class) MapData eval(String payload) {
        if (payload == null) return null;
        if (payload == lastInput || payload.equals(lastInput)) return lastResult;
        Map<StringData, StringData> fields = internalFields(payload);
        lastInput = payload;
        lastResult = fields == null ? null : new GenericMapData(fields);
        return lastResult;
    }

    /** The fields of {@code payload} as internal strings, or null when it is not exactly one JSON object. */
    Map<StringData, StringData> internalFields(String payload) {
        init();
        try {
            return streamed(payload);
        } catch (IOException | TreeDecides e) {
            Map<String, String> tree = fieldsByTree(payload);
            if (tree == null) return null;
            Map<StringData, StringData> out = new LinkedHashMap<>(tree.size() * 2);
            for (Map.Entry<String, String> e2 : tree.entrySet()) {
                out.put(StringData.fromString(e2.getKey()), StringData.fromString(e2.getValue()));
            }
            return out;
        }
    }

    private void init() {
        if (provider != null) return;
        provider = new JacksonJsonProvider();
        strictReader = provider.getObjectMapper().readerFor(Object.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        factory = provider.getObjectMapper().getFactory();
        buffers = new BufferRecycler();
        keys = new HashMap<>();
        nested = new ArrayList<>();
        json = new ArrayList<>();
    }

    /**
     * The one pass: the same map as {@link #fieldsByTree}, built from the parser's tokens without a tree.
     * Null when the payload is not exactly one JSON object; {@link TreeDecides} or a parse error when the
     * tree parse must decide (a syntax error, a repeated name, a container under a top-level name with a dot).
     */
    Map<StringData, StringData> streamed(String payload) throws IOException, TreeDecides {
        init();
        nested.clear();
        json.clear();
        try (JsonParser p = factory.createParser(payload)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION); // a repeated name throws: the tree decides
            if (p.nextToken() != JsonToken.START_OBJECT) return null; // valid or not, never one object
            Map<StringData, StringData> out = new LinkedHashMap<>(32);
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    if (name.indexOf('.') >= 0) throw TREE_DECIDES;
                    String path = value == JsonToken.START_OBJECT && isPathName(name) ? key("", name).text : null;
                    SegmentedStringWriter text = new SegmentedStringWriter(buffers);
                    try (JsonGenerator g = factory.createGenerator(text)) {
                        copyContainer(p, g, path);
                    }
                    json.add(key("$", name).data);
                    json.add(StringData.fromString(text.getAndClear()));
                } else {
                    String scalar = scalar(p, value, null);
                    if (scalar != null && name.indexOf('.') < 0) out.put(key("", name).data, StringData.fromString(scalar));
                }
            }
            if (token != JsonToken.END_OBJECT) throw TREE_DECIDES;
            if (p.nextToken() != null) return null; // text after the object
            for (int i = 0; i < nested.size(); i += 2) out.put(nested.get(i), nested.get(i + 1));
            for (int i = 0; i < json.size(); i += 2) out.put(json.get(i), json.get(i + 1));
            return out;
        }
    }

    /**
     * Writes the object or array at the parser (its start token read) to {@code g}, as Jackson writes the
     * tree: compact, numbers as the tree holds them. With a {@code path} (an object under a path name), its
     * scalars reached through path names are added to {@link #nested} under {@code path.name}.
     */
    private void copyContainer(JsonParser p, JsonGenerator g, String path) throws IOException, TreeDecides {
        if (p.currentToken() == JsonToken.START_ARRAY) {
            g.writeStartArray();
            JsonToken value;
            while ((value = p.nextToken()) != JsonToken.END_ARRAY) {
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) copyContainer(p, g, null);
                else scalar(p, value, g);
            }
            g.writeEndArray();
            return;
        }
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            g.writeFieldName(name);
            JsonToken value = p.nextToken();
            Key child = path != null && isPathName(name) ? key(path, name) : null;
            if (value == JsonToken.START_OBJECT) {
                copyContainer(p, g, child == null ? null : child.text);
            } else if (value == JsonToken.START_ARRAY) {
                copyContainer(p, g, null);
            } else {
                String scalar = scalar(p, value, g);
                if (child != null && scalar != null) {
                    nested.add(child.data);
                    nested.add(StringData.fromString(scalar));
                }
            }
        }
        g.writeEndObject();
    }

    /**
     * The text of the scalar at the parser as the tree gives it ({@code toString()} of its String, Integer,
     * Long, BigInteger, Double or Boolean; null for a JSON null), written to {@code g} when there is one.
     */
    private static String scalar(JsonParser p, JsonToken token, JsonGenerator g) throws IOException, TreeDecides {
        switch (token) {
            case VALUE_STRING:
                String s = p.getText();
                if (g != null) g.writeString(s);
                return s;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                Number n = p.getNumberValue();
                if (g != null) writeNumber(g, n);
                return n.toString();
            case VALUE_TRUE:
            case VALUE_FALSE:
                boolean b = token == JsonToken.VALUE_TRUE;
                if (g != null) g.writeBoolean(b);
                return b ? "true" : "false";
            case VALUE_NULL:
                if (g != null) g.writeNull();
                return null;
            default:
                throw TREE_DECIDES;
        }
    }

    /** As Jackson's serializers write each number type of the tree. */
    private static void writeNumber(JsonGenerator g, Number n) throws IOException, TreeDecides {
        if (n instanceof Integer) g.writeNumber(n.intValue());
        else if (n instanceof Long) g.writeNumber(n.longValue());
        else if (n instanceof Double) g.writeNumber(n.doubleValue());
        else if (n instanceof BigInteger) g.writeNumber((BigInteger) n);
        else if (n instanceof BigDecimal) g.writeNumber((BigDecimal) n);
        else if (n instanceof Float) g.writeNumber(n.floatValue());
        else throw TREE_DECIDES;
    }

    /**
     * The key {@code parent.name} ({@code name} at the top level, {@code $.name} under "$"), encoded once:
     * records repeat the same keys, and an unencoded string is encoded again each time it is written (4 % of
     * the runner's CPU, docs/BENCHMARKS.md). At most {@link #KEYS_CACHED} keys are kept; the cache starts over
     * when payloads bring more.
     */
    private Key key(String parent, String name) {
        Map<String, Key> children = keys.get(parent);
        Key key = children == null ? null : children.get(name);
        if (key == null) {
            if (keysCached >= KEYS_CACHED) {
                keys.clear();
                keysCached = 0;
            }
            key = new Key(parent.isEmpty() ? name : parent + '.' + name);
            keys.computeIfAbsent(parent, k -> new HashMap<>()).put(name, key);
            keysCached++;
        }
        return key;
    }

    /** The fields of {@code payload} as Java strings, or null when it is not exactly one JSON object. */
    Map<String, String> fieldsByTree(String payload) {
        init();
        Object doc;
        try {
            doc = strictReader.readValue(payload);
        } catch (Exception e) {
            return null;
        }
        if (!(doc instanceof Map)) return null;
        Map<?, ?> object = (Map<?, ?>) doc;
        // In the payload's order (the parser's maps keep it), scalars first: SQL's fields['x'] scans the keys
        // in order, and the fields every record needs (event_id, ...) are usually the first ones.
        Map<String, String> out = new LinkedHashMap<>(object.size() * 4);
        // A name with a dot is left out: '$.a.b' reads a nested path, never the key "a.b". The three kinds of
        // key never meet: a top-level name has no dot, a nested path has one and never starts with '$', and
        // a JSON entry starts with "$.".
        for (Map.Entry<?, ?> e : object.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v != null && !(v instanceof Map) && !(v instanceof Collection) && name.indexOf('.') < 0) out.put(name, v.toString());
        }
        for (Map.Entry<?, ?> e : object.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (e.getValue() instanceof Map && isPathName(name)) putNestedScalars(name, (Map<?, ?>) e.getValue(), out);
        }
        for (Map.Entry<?, ?> e : object.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object v = e.getValue();
            if ((v instanceof Map || v instanceof Collection) && name.indexOf('.') < 0) {
                try {
                    out.put(JSON_PREFIX + name, provider.toJson(v));
                } catch (RuntimeException ignored) {
                    // cannot happen for a parsed document; JSON_QUERY would return NULL
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * A name that a JSONPath in dot notation ({@code $.a.b}) reads as itself: not empty, not starting with
     * {@code $}, and without {@code . [ ] ( ) * ' " @} or whitespace. Only such names are flattened.
     */
    static boolean isPathName(String name) {
        if (name.isEmpty() || name.charAt(0) == '$') return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (".[]()*'\"@".indexOf(c) >= 0 || Character.isWhitespace(c)) return false;
        }
        return true;
    }

    /** Puts every scalar of {@code object} reached through objects only, under {@code path.name[.name...]}. */
    private static void putNestedScalars(String path, Map<?, ?> object, Map<String, String> out) {
        for (Map.Entry<?, ?> e : object.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v == null || v instanceof Collection || !isPathName(name)) continue;
            if (v instanceof Map) putNestedScalars(path + '.' + name, (Map<?, ?>) v, out);
            else out.put(path + '.' + name, v.toString());
        }
    }
}
