package com.clickstream.runner;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.AggregateFunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;

/**
 * COUNT_DISTINCT(value): the number of distinct non-NULL values, exactly what {@code COUNT(DISTINCT value)}
 * returns, with its state kept as ONE value per group and window slice instead of one state entry per
 * distinct value.
 *
 * <p>Why (docs/BENCHMARKS.md): on RocksDB, as Managed Flink runs every application, Flink keeps the set
 * of {@code COUNT(DISTINCT)} in a map state, so every distinct value of every slice costs a RocksDB read
 * and write when the window buffer is flushed, an iteration when the window fires and a delete when it is
 * cleared. Here the set is one serialised value: one read and one write per group and slice at a flush.
 * Both aggregate in two phases (a local set before the shuffle, merged after it), and sliding windows
 * (HOP) merge the sets of their slices.
 */
@FunctionHint(
        input = @DataTypeHint("STRING"),
        accumulator = @DataTypeHint(value = "RAW", bridgedTo = CountDistinctFunction.Values.class,
                rawSerializer = CountDistinctFunction.ValuesSerializer.class),
        output = @DataTypeHint("BIGINT NOT NULL"))
public final class CountDistinctFunction extends AggregateFunction<Long, CountDistinctFunction.Values> {
    private static final long serialVersionUID = 1L;

    /** The accumulator: the distinct values seen. */
    public static final class Values {
        final HashSet<String> seen;

        public Values() {
            this(new HashSet<>());
        }

        Values(HashSet<String> seen) {
            this.seen = seen;
        }
    }

    @Override
    public Values createAccumulator() {
        return new Values();
    }

    public void accumulate(Values acc, String value) {
        if (value != null) acc.seen.add(value);
    }

    /** Adds the others' values to {@code acc}; never keeps a reference to another accumulator's set. */
    public void merge(Values acc, Iterable<Values> others) {
        for (Values other : others) acc.seen.addAll(other.seen);
    }

    @Override
    public Long getValue(Values acc) {
        return (long) acc.seen.size();
    }

    /**
     * The set as its size, the length of the block that follows, and the block: each value as its UTF-8
     * length (a varint) and its UTF-8 bytes. One block, written and read with one call each: Flink stores a
     * RAW value through a byte stream whose every single-byte call is synchronised (a per-character string
     * encoding cost 40 % of the window aggregation that holds these sets: docs/BENCHMARKS.md).
     */
    public static final class ValuesSerializer extends TypeSerializerSingleton<Values> {
        private static final long serialVersionUID = 1L;
        static final ValuesSerializer INSTANCE = new ValuesSerializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public Values createInstance() {
            return new Values();
        }

        @Override
        public Values copy(Values from) {
            return new Values(new HashSet<>(from.seen));
        }

        @Override
        public Values copy(Values from, Values reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(Values record, DataOutputView target) throws IOException {
            byte[][] encoded = new byte[record.seen.size()][];
            int length = 0;
            int i = 0;
            for (String value : record.seen) {
                encoded[i] = value.getBytes(StandardCharsets.UTF_8);
                length += varintSize(encoded[i].length) + encoded[i].length;
                i++;
            }
            byte[] block = new byte[length];
            int at = 0;
            for (byte[] value : encoded) {
                at = writeVarint(value.length, block, at);
                System.arraycopy(value, 0, block, at, value.length);
                at += value.length;
            }
            target.writeInt(encoded.length);
            target.writeInt(length);
            target.write(block);
        }

        @Override
        public Values deserialize(DataInputView source) throws IOException {
            int size = source.readInt();
            byte[] block = new byte[source.readInt()];
            source.readFully(block);
            HashSet<String> seen = new HashSet<>(Math.max(16, (int) (size / 0.75f) + 1));
            int at = 0;
            for (int i = 0; i < size; i++) {
                int length = 0;
                for (int shift = 0; ; shift += 7) {
                    byte b = block[at++];
                    length |= (b & 0x7f) << shift;
                    if (b >= 0) break;
                }
                seen.add(new String(block, at, length, StandardCharsets.UTF_8));
                at += length;
            }
            return new Values(seen);
        }

        @Override
        public Values deserialize(Values reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            target.writeInt(source.readInt());
            byte[] block = new byte[source.readInt()];
            source.readFully(block);
            target.writeInt(block.length);
            target.write(block); // not write(source, n): a DataOutputSerializer does not grow for that one
        }

        private static int varintSize(int value) {
            int size = 1;
            while ((value >>>= 7) != 0) size++;
            return size;
        }

        private static int writeVarint(int value, byte[] out, int at) {
            while ((value & ~0x7f) != 0) {
                out[at++] = (byte) ((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            out[at++] = (byte) value;
            return at;
        }

        @Override
        public TypeSerializerSnapshot<Values> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the serializer from a savepoint; the format above never changes without a new class. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Values> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
