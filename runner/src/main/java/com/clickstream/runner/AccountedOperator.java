package com.clickstream.runner;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;

/**
 * An operator of the runner's own whose record counters are part of its checkpointed state, published as
 * metrics and logged at every completed checkpoint ({@link Accounting}).
 */
abstract class AccountedOperator extends AbstractStreamOperator<RowData> implements OneInputStreamOperator<RowData, RowData> {
    private static final long serialVersionUID = 1L;

    private final String stage;
    private final String[] counters;
    protected transient Accounting accounting;
    private transient StreamRecord<RowData> out;

    AccountedOperator(String stage, String... counters) {
        this.stage = stage;
        this.counters = counters.clone();
        // Runs in the task of the operator before it (the source's, the de-duplication's), as Flink's own
        // operators do: AbstractStreamOperator defaults to HEAD, which made each of the runner's operators a
        // task of its own, and every event crossed two more network hops, serialised, between threads.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        accounting = new Accounting(stage, counters, context.getOperatorStateStore(), context.isRestored(), getMetricGroup(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        accounting.snapshot(context.getCheckpointId());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        accounting.complete(checkpointId);
    }

    /**
     * The operator's own output record, refilled with {@code value} and the input's timestamp. Never the
     * input's record: with object reuse (docs/SQL.md) the input record may be handed to other operators too.
     */
    protected final StreamRecord<RowData> record(StreamRecord<RowData> in, RowData value) {
        if (out == null) out = new StreamRecord<>(null);
        if (in.hasTimestamp()) {
            out.replace(value, in.getTimestamp());
        } else {
            out.replace(value);
            out.eraseTimestamp();
        }
        return out;
    }
}
