package com.clickstream.runner;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.utils.ProjectedRowData;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gives the source table its event time (docs/SQL.md, "Event time per shard"): it follows the newest
 * event time of every shard the subtask reads ({@link ShardClocks}) and emits the minimum over the
 * active shards, minus the bound the source's WATERMARK clause declares. Upstream watermarks are
 * ignored except the final one (end of input, or a stop with drain).
 *
 * <p>It also counts every record it reads ({@code recordsRead}, checkpointed: see {@link Accounting}),
 * and exposes how far apart the shards are read ({@code eventTimeSkewMs}) and how many are active.
 * It drops the shard and arrival columns ({@code $split}, {@code $arrival}) from the rows it forwards.
 */
final class EventTimeOperator extends AccountedOperator implements ProcessingTimeService.ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventTimeOperator.class);

    private final int rowtimeIndex;
    private final int shardIndex;
    private final int arrivalIndex;
    private final int[] forwarded;
    private final long boundMs;
    private final long idleTimeoutMs;
    private final long holdUnseenMs;
    private final long intervalMs;

    private transient ShardClocks clocks;
    private transient ListState<Tuple2<String, Long>> shardState;
    private transient long lastEmitted;
    private transient boolean idle;
    private transient StringData lastShardData;
    private transient String lastShard;
    private transient List<String> lastIdle;
    private transient int behindLogged;

    /**
     * @param shardIndex   field with the shard (Kinesis shard id, file path), or -1 for one clock per subtask
     * @param arrivalIndex field with the time the record arrived in the stream (TIMESTAMP_LTZ), or -1
     * @param forwarded    the fields passed on, in order (all but the shard field)
     * @param holdUnseenMs on a fresh start, how long to wait for shards that have not delivered yet
     * @param intervalMs   how often the watermark is re-evaluated (pipeline.auto-watermark-interval)
     */
    EventTimeOperator(int rowtimeIndex, int shardIndex, int arrivalIndex, int[] forwarded, long boundMs, long idleTimeoutMs,
                      long holdUnseenMs, long intervalMs) {
        super("source", "read");
        this.rowtimeIndex = rowtimeIndex;
        this.shardIndex = shardIndex;
        this.arrivalIndex = arrivalIndex;
        this.forwarded = forwarded.clone();
        this.boundMs = boundMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.holdUnseenMs = holdUnseenMs;
        this.intervalMs = intervalMs;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        clocks = new ShardClocks(boundMs, idleTimeoutMs, holdUnseenMs, now);
        shardState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("event-time-shards", Types.TUPLE(Types.STRING, Types.LONG)));
        if (context.isRestored()) {
            for (Tuple2<String, Long> s : shardState.get()) clocks.restore(s.f0, s.f1);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        lastEmitted = Long.MIN_VALUE;
        lastIdle = List.of();
        getMetricGroup().gauge("eventTimeSkewMs", (Gauge<Long>) () -> clocks.skew(now()));
        getMetricGroup().gauge("activeShards", (Gauge<Integer>) () -> clocks.activeShards(now()));
        getProcessingTimeService().registerTimer(now() + intervalMs, this);
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws Exception {
        RowData row = element.getValue();
        long eventTime = row.isNullAt(rowtimeIndex) ? 0 : row.getTimestamp(rowtimeIndex, 3).getMillisecond();
        long now = now();
        String shard = shardOf(row);
        if (eventTime > 0 && lastEmitted != Long.MIN_VALUE && eventTime <= lastEmitted && behindLogged < 20) {
            // Out of order by more than the bound within its own shard, or its shard had gone idle.
            behindLogged++;
            LOG.warn("event time: a record of shard {} at {} arrived behind the watermark {}; shard clocks {}, idle {}",
                    shard, java.time.Instant.ofEpochMilli(eventTime), java.time.Instant.ofEpochMilli(lastEmitted),
                    clocks.snapshot(), clocks.idleShards(now));
        }
        long lag = arrivalIndex < 0 || row.isNullAt(arrivalIndex) ? 0 : now - row.getTimestamp(arrivalIndex, 3).getMillisecond();
        clocks.onRecord(shard, eventTime, now, lag);
        accounting.add(0, 1);
        if (idle) {
            idle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
        // The watermark goes out before the record that moved it (which is never late for it: it is its
        // shard's newest). After a restore this is what stops records from slipping into windows that
        // fired before the snapshot: downstream operators start again at no watermark, and the restored
        // shards give the first one with the first record. Like Flink's own watermark assigner, it is
        // emitted at once when event time jumped by more than the interval, so that results do not depend
        // on when the periodic timer happens to run.
        long watermark = clocks.watermark(now);
        if (watermark != ShardClocks.NONE && (lastEmitted == Long.MIN_VALUE || watermark - lastEmitted > intervalMs)) {
            emit(watermark);
        }
        // Its own record, never the input's: with object reuse (docs/SQL.md) the input record may be
        // handed to other operators too.
        output.collect(record(element, ProjectedRowData.from(forwarded).replaceRow(row)));
    }

    private String shardOf(RowData row) {
        if (shardIndex < 0 || row.isNullAt(shardIndex)) return "";
        StringData s = row.getString(shardIndex);
        if (!s.equals(lastShardData)) { // records of one shard come in batches: convert once per batch
            lastShard = s.toString();
            lastShardData = StringData.fromString(lastShard);
        }
        return lastShard;
    }

    @Override
    public void onProcessingTime(long timestamp) throws Exception {
        long now = now();
        List<String> idleShards = clocks.idleShards(now);
        if (!idleShards.equals(lastIdle)) {
            LOG.info("event time: {} of {} shards idle (no records for {} ms): {}", idleShards.size(),
                    clocks.snapshot().size(), idleTimeoutMs, idleShards);
            lastIdle = idleShards;
        }
        long watermark = clocks.watermark(now);
        if (watermark != ShardClocks.NONE && watermark > lastEmitted) {
            if (idle) {
                idle = false;
                output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
            }
            emit(watermark);
        }
        // Every shard idle: downstream operators with other inputs must not wait for this subtask.
        if (clocks.idle(now) && !idle) {
            idle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
        getProcessingTimeService().registerTimer(now + intervalMs, this);
    }

    private void emit(long watermark) {
        lastEmitted = watermark;
        output.emitWatermark(new Watermark(watermark));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // Only the end of input (or a stop with drain) is taken from upstream; event time is ours.
        if (mark.getTimestamp() == Long.MAX_VALUE && lastEmitted != Long.MAX_VALUE) {
            if (idle) {
                idle = false;
                output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
            }
            emit(Long.MAX_VALUE);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // Idleness is decided per shard here, not taken from the source.
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Tuple2<String, Long>> shards = new ArrayList<>();
        for (Map.Entry<String, Long> e : clocks.snapshot()) shards.add(Tuple2.of(e.getKey(), e.getValue()));
        shardState.update(shards);
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
