package com.clickstream.runner;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.utils.JoinedRowData;

/**
 * The one lateness decision (docs/SQL.md, "Lateness"): for each valid, unique event it sets
 * {@code closed_outputs}, the outputs whose window for the event had already closed at the current
 * watermark ({@link LatenessRules}), or NULL when the event is on time, and {@code watermark_time}.
 * Downstream, every window reads only events with NULL (view {@code events_on_time}) and late_events
 * the others. A window operator's watermark is never ahead of this operator's when it receives the
 * event (watermarks travel in order with records), so an event passed on as on time is never dropped
 * as late by a window.
 *
 * <p>It counts both kinds, checkpointed ({@link Accounting}): {@code on_time} and {@code late}.
 */
final class LatenessOperator extends AccountedOperator {
    private static final long serialVersionUID = 1L;

    private final int rowtimeIndex;
    private final LatenessRules rules;

    private transient long watermark;

    LatenessOperator(int rowtimeIndex, LatenessRules rules) {
        super("lateness", "on_time", "late");
        this.rowtimeIndex = rowtimeIndex;
        this.rules = rules;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<RowData> element) {
        RowData row = element.getValue();
        long eventTime = row.getTimestamp(rowtimeIndex, 3).getMillisecond();
        String closed = rules.closedOutputs(eventTime, watermark);
        accounting.add(closed == null ? 0 : 1, 1);
        GenericRowData extra = new GenericRowData(2);
        if (closed != null) extra.setField(0, StringData.fromString(closed));
        if (watermark != Long.MIN_VALUE) extra.setField(1, TimestampData.fromEpochMillis(watermark));
        // Its own record, never the input's: with object reuse (docs/SQL.md) the input record may be
        // handed to other operators too.
        output.collect(record(element, new JoinedRowData(row.getRowKind(), row, extra)));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }
}
