package com.clickstream.runner;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static com.clickstream.runner.PipelineTest.P1;
import static com.clickstream.runner.PipelineTest.ev;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Event time per shard and the exact window boundary, on Flink (MiniCluster).
 */
class EventTimeTest {
    @TempDir
    Path tmp;

    static final long T = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    static final long S = 1_000;

    /**
     * Two shards read at different positions, interleaved as the Kinesis consumer delivers them: shard
     * "behind" at 10:01-10:02, shard "ahead" at 10:05-10:06 (a shard that has not delivered yet is covered
     * by the start-up hold: ShardClocksTest). Each record is shown with the watermark a
     * downstream operator holds when it receives it: with one clock per shard no record is ever at or
     * behind the watermark; with one clock per subtask every record of the shard behind is.
     */
    @Test
    void aShardReadBehindTheOthersNeverMakesItsEventsLate() throws Exception {
        long[][] reads = { // {shard 0 = ahead, 1 = behind, seconds after 10:00}
                {1, 60}, {0, 300}, {0, 310}, {0, 320}, {1, 70}, {0, 330}, {1, 80}, {1, 90}, {0, 340}, {1, 100}};
        List<String> perShard = run(reads, 1);
        List<String> perSubtask = run(reads, -1);
        assertEquals(List.of(
                "behind 10:01:00 on time", "ahead 10:05:00 on time", "ahead 10:05:10 on time", "ahead 10:05:20 on time",
                "behind 10:01:10 on time", "ahead 10:05:30 on time", "behind 10:01:20 on time", "behind 10:01:30 on time",
                "ahead 10:05:40 on time", "behind 10:01:40 on time"), perShard);
        assertEquals(List.of(
                "behind 10:01:00 on time", "ahead 10:05:00 on time", "ahead 10:05:10 on time", "ahead 10:05:20 on time",
                "behind 10:01:10 LATE", "ahead 10:05:30 on time", "behind 10:01:20 LATE", "behind 10:01:30 LATE",
                "ahead 10:05:40 on time", "behind 10:01:40 LATE"), perSubtask);
    }

    private static List<String> run(long[][] reads, int shardIndex) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        RowType in = RowType.of(new LogicalType[] {new TimestampType(3), new VarCharType(VarCharType.MAX_LENGTH)}, new String[] {"rowtime", "shard"});
        RowType out = RowType.of(new LogicalType[] {new TimestampType(3)}, new String[] {"rowtime"});
        List<RowData> rows = new ArrayList<>();
        for (long[] r : reads) {
            rows.add(GenericRowData.of(TimestampData.fromEpochMillis(T + r[1] * S), StringData.fromString(r[0] == 0 ? "ahead" : "behind")));
        }
        DataStream<RowData> timed = env.fromData(InternalTypeInfo.of(in), rows.toArray(new RowData[0]))
                .transform("EventTime", InternalTypeInfo.of(out),
                        new EventTimeOperator(0, shardIndex, -1, new int[] {0}, 60 * S, 30 * S, 0, 200));
        List<String> seen = new ArrayList<>();
        try (CloseableIterator<String> it = timed.process(new ProcessFunction<RowData, String>() {
            @Override
            public void processElement(RowData row, Context ctx, Collector<String> collector) {
                long t = row.getTimestamp(0, 3).getMillisecond();
                String time = Instant.ofEpochMilli(t).toString().substring(11, 19);
                collector.collect((t >= T + 300 * S ? "ahead " : "behind ") + time
                        + (t <= ctx.timerService().currentWatermark() ? " LATE" : " on time"));
            }
        }).executeAndCollect()) {
            it.forEachRemaining(seen::add);
        }
        return seen;
    }

    /**
     * Window [a, b) fires when the watermark reaches b - 1 ms, i.e. once an event at b + 59.999 s has been
     * read (bound 1 minute); an event at b + 59.998 s leaves it open. The real SQL, one input file.
     */
    @Test
    void aWindowClosesExactlyWhenTheWatermarkReachesItsEndMinusOneMillisecond() throws Exception {
        Path input = tmp.resolve("events.jsonl");
        AppHarness.write(input, List.of(
                ev("e1", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:00:30Z\"", P1, null),     // [10:00, 10:01)
                ev("e2", "click", "u2", "shop.de", "DE", "\"2026-11-20T10:01:30Z\"", P1, null),     // [10:01, 10:02)
                ev("e3", "click", "u3", "shop.de", "DE", "\"2026-11-20T10:01:59.998Z\"", P1, null), // W = 10:00:59.998
                ev("e4", "click", "u4", "shop.de", "DE", "\"2026-11-20T10:00:45Z\"", P1, null),     // [10:00) still open: counted
                ev("e5", "click", "u5", "shop.de", "DE", "\"2026-11-20T10:02:59.999Z\"", P1, null), // W = 10:01:59.999: [10:01) fires
                ev("e6", "click", "u6", "shop.de", "DE", "\"2026-11-20T10:01:40Z\"", P1, null)));   // late for [10:01)
        Path out = tmp.resolve("out");
        AppHarness.runToEnd(input, out);
        assertEquals(List.of(
                "10:00-10:01|product|2",  // e1, e4
                "10:01-10:02|product|2",  // e2, e3 (e6 late)
                "10:02-10:03|product|1"), // e5 (closed by the end of input)
                AppHarness.windowRows(out, "clicks_1m", "page_type", "clicks"));
        List<String> late = new ArrayList<>();
        AppHarness.rows(out, "late_events").forEach(r -> late.add(r.get("event_id").asText() + " watermark "
                + AppHarness.hms(r.get("watermark_time"))));
        assertEquals(List.of("e6 watermark 10:01:59.999"), late);
    }
}
