package com.clickstream.runner;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectReader;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryArrayData;
import org.apache.flink.table.data.binary.BinaryMapData;
import org.apache.flink.table.data.writer.BinaryArrayWriter;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.shaded.com.jayway.jsonpath.spi.json.JacksonJsonProvider;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * {@code fields} and the {@code rowtime} columns), memoized or not (docs/BENCHMARKS.md, "Profile").
 */
public final class JsonFieldsFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    /** Prefix of the keys that hold the JSON text of object and array fields. */
    public static final String JSON_PREFIX = "$.";

    private transient JacksonJsonProvider provider;
    /** The provider's own reader, which also rejects text after the JSON value ({@code {..}{..}}, {@code {..} x}). */
    private transient ObjectReader strictReader;
    private static final int KEYS_CACHED = 4096;
    private transient Map<String, StringData> keys;
    private transient String lastInput;
    private transient MapData lastResult;

    public @DataTypeHint(value = "MAP<STRING, STRING>", bridgedTo = MapData.class) MapData eval(String payload) {
        if (payload == null) return null;
        if (payload == lastInput || payload.equals(lastInput)) return lastResult;
        Map<String, String> fields = fields(payload);
        MapData result = null;
        if (fields != null) {
            // The binary form, built once: map lookups read it without allocating, and rows carry it as is.
            BinaryArrayData keys = new BinaryArrayData();
            BinaryArrayData values = new BinaryArrayData();
            BinaryArrayWriter k = new BinaryArrayWriter(keys, fields.size(), 8);
            BinaryArrayWriter v = new BinaryArrayWriter(values, fields.size(), 8);
            int i = 0;
            for (Map.Entry<String, String> e : fields.entrySet()) {
                k.writeString(i, key(e.getKey()));
                v.writeString(i, StringData.fromString(e.getValue()));
                i++;
            }
            k.complete();
            v.complete();
            result = BinaryMapData.valueOf(keys, values);
        }
        lastInput = payload;
        lastResult = result;
        return result;
    }

    /**
     * The key's internal string, encoded once: records repeat the same keys, and an unencoded string is
     * encoded again each time it is written (4 % of the runner's CPU, docs/BENCHMARKS.md). At most
     * {@link #KEYS_CACHED} keys are kept; the cache starts over when payloads bring more.
     */
    private StringData key(String name) {
        if (keys == null) keys = new HashMap<>();
        StringData key = keys.get(name);
        if (key == null) {
            if (keys.size() >= KEYS_CACHED) keys.clear();
            key = StringData.fromBytes(name.getBytes(StandardCharsets.UTF_8));
            keys.put(name, key);
        }
        return key;
    }

    /** The fields of {@code payload} as Java strings, or null when it is not exactly one JSON object. */
    Map<String, String> fields(String payload) {
        if (provider == null) {
            provider = new JacksonJsonProvider();
            strictReader = provider.getObjectMapper().readerFor(Object.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        }
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
