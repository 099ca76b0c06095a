package com.clickstream.runner;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COUNT_DISTINCT: the same counts as COUNT(DISTINCT), one serialised set per group and slice. */
class CountDistinctFunctionTest {

    private static CountDistinctFunction.Values values(String... v) {
        CountDistinctFunction f = new CountDistinctFunction();
        CountDistinctFunction.Values acc = f.createAccumulator();
        for (String s : v) f.accumulate(acc, s);
        return acc;
    }

    @Test
    void countsDistinctNonNullValuesAndMergesWithoutSharingSets() {
        CountDistinctFunction f = new CountDistinctFunction();
        CountDistinctFunction.Values a = values("u1", "u2", "u1", null, "");
        assertEquals(3L, f.getValue(a)); // u1, u2 and the empty string; NULL is not counted
        CountDistinctFunction.Values b = values("u2", "u3");
        CountDistinctFunction.Values merged = f.createAccumulator();
        f.merge(merged, List.of(a, b));
        assertEquals(4L, f.getValue(merged));
        assertEquals(Set.of("u1", "u2", ""), a.seen); // the merged-in accumulators are untouched
        assertEquals(Set.of("u2", "u3"), b.seen);
        assertNotSame(a.seen, merged.seen);
        assertEquals(0L, f.getValue(f.createAccumulator()));
    }

    @Test
    void serializerRoundTripsAndRestoresFromItsSnapshot() throws Exception {
        CountDistinctFunction.ValuesSerializer s = new CountDistinctFunction.ValuesSerializer();
        CountDistinctFunction.Values v = values("u1", "é😀", "", "u2");
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(v, out);
        CountDistinctFunction.Values back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(v.seen, back.seen);

        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertEquals(v.seen, s.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())).seen);

        CountDistinctFunction.Values copy = s.copy(v);
        assertEquals(v.seen, copy.seen);
        assertNotSame(v.seen, copy.seen);

        // A savepoint's snapshot, written and read back, restores a compatible serializer.
        DataOutputSerializer snap = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snap, s.snapshotConfiguration());
        TypeSerializerSnapshot<CountDistinctFunction.Values> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snap.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<CountDistinctFunction.Values> restoredSerializer = restored.restoreSerializer();
        assertEquals(v.seen, restoredSerializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())).seen);
        TypeSerializerSchemaCompatibility<CountDistinctFunction.Values> compat =
                s.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertTrue(compat.isCompatibleAsIs());
    }

    @Test
    void serializerWritesOneBlockAndReadsItBackExactly() throws Exception {
        CountDistinctFunction.ValuesSerializer s = new CountDistinctFunction.ValuesSerializer();
        // The layout: size, block length, then each value as varint UTF-8 length and bytes.
        DataOutputSerializer one = new DataOutputSerializer(16);
        s.serialize(values("aé"), one);
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0, 0, 0, 4, 3, 'a', (byte) 0xc3, (byte) 0xa9}, one.getCopyOfBuffer());

        // Values of 127 and 128 bytes (one and two varint bytes), 300 bytes, and many values.
        HashSet<String> many = new HashSet<>(Set.of("x".repeat(127), "y".repeat(128), "z".repeat(300)));
        for (int i = 0; i < 5000; i++) many.add("u" + i);
        CountDistinctFunction.Values v = new CountDistinctFunction.Values(many);
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(v, out);
        out.writeInt(42); // what follows in the stream is left unread
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertEquals(many, s.deserialize(in).seen);
        assertEquals(42, in.readInt());

        DataOutputSerializer copied = new DataOutputSerializer(64);
        DataInputDeserializer source = new DataInputDeserializer(out.getCopyOfBuffer());
        s.copy(source, copied);
        assertEquals(42, source.readInt());
        assertEquals(many, s.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())).seen);
    }

    /** The same rows as COUNT(DISTINCT) in tumbling and sliding (HOP: merged slices) event-time windows. */
    @Test
    void sameRowsAsCountDistinctInTumbleAndHopWindows(@TempDir Path dir) throws Exception {
        // 300 events over 6 minutes, 2 sites, users repeating within and across minutes, some NULL users
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String ts = LocalDateTime.of(2026, 11, 20, 10, 0).plusNanos(i * 1_200_000_000L)
                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"));
            lines.append("{\"user_id\":").append(i % 17 == 0 ? "null" : "\"u" + (i * 7 % 23) + "\"")
                    .append(",\"site\":\"s").append(i % 2).append("\",\"ts\":\"").append(ts).append("\"}\n");
        }
        Files.writeString(dir.resolve("events.json"), lines.toString());
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        t.getConfig().set("table.local-time-zone", "UTC");
        t.getConfig().set("parallelism.default", "2");
        t.createTemporarySystemFunction("COUNT_DISTINCT", new CountDistinctFunction());
        t.executeSql("CREATE TABLE events (user_id STRING, site STRING, ts TIMESTAMP(3), "
                + "WATERMARK FOR ts AS ts - INTERVAL '1' MINUTE) WITH ('connector' = 'filesystem', 'path' = '"
                + dir.resolve("events.json").toUri() + "', 'format' = 'json')");
        for (String window : List.of("TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)",
                "HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)")) {
            String q = "SELECT window_start, site, %s AS n FROM TABLE(" + window + ") GROUP BY window_start, window_end, site";
            List<String> expected = rows(t, String.format(q, "COUNT(DISTINCT user_id)"));
            List<String> actual = rows(t, String.format(q, "COUNT_DISTINCT(user_id)"));
            assertTrue(expected.size() >= 12, window + ": " + expected);
            assertEquals(expected, actual, window);
        }
    }

    private static List<String> rows(TableEnvironment t, String query) throws Exception {
        List<String> out = new ArrayList<>();
        try (CloseableIterator<Row> it = t.executeSql(query).collect()) {
            it.forEachRemaining(r -> out.add(r.toString()));
        }
        out.sort(null);
        return out;
    }
}
