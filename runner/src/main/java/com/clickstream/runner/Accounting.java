package com.clickstream.runner;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;

/**
 * Checkpointed record counters of one operator (docs/SQL.md, "Accounting"): they are part of the
 * operator's state, so after a restore they continue from the snapshot and the records replayed from
 * the source are counted exactly once. Each counter is a Flink metric (a gauge, so Managed Flink
 * publishes it to CloudWatch), and every completed checkpoint or savepoint logs the values it holds:
 * {@code accounting checkpoint=<id> stage=<stage> subtask=<i>/<n> <name>=<value> ...}.
 */
final class Accounting {
    private static final Logger LOG = LoggerFactory.getLogger(Accounting.class);

    private final String stage;
    private final String[] names;
    private final long[] values;
    private final ListState<Long>[] states;
    private final Map<Long, long[]> pending = new TreeMap<>();
    private final String subtask;

    @SuppressWarnings("unchecked")
    Accounting(String stage, String[] names, OperatorStateStore store, boolean restored, MetricGroup metrics,
               int subtaskIndex, int parallelism) throws Exception {
        this.stage = stage;
        this.names = names.clone();
        this.values = new long[names.length];
        this.states = new ListState[names.length];
        this.subtask = subtaskIndex + "/" + parallelism;
        for (int i = 0; i < names.length; i++) {
            states[i] = store.getListState(new ListStateDescriptor<>("accounting-" + names[i], Types.LONG));
            if (restored) {
                for (Long v : states[i].get()) values[i] += v;
            }
            final int index = i;
            metrics.gauge(names[i], (Gauge<Long>) () -> values[index]);
        }
    }

    void add(int counter, long n) {
        values[counter] += n;
    }

    long get(int counter) {
        return values[counter];
    }

    void snapshot(long checkpointId) throws Exception {
        for (int i = 0; i < names.length; i++) states[i].update(java.util.List.of(values[i]));
        pending.put(checkpointId, values.clone());
    }

    void complete(long checkpointId) {
        long[] v = pending.get(checkpointId);
        if (v != null) {
            StringBuilder b = new StringBuilder("accounting checkpoint=").append(checkpointId)
                    .append(" stage=").append(stage).append(" subtask=").append(subtask);
            for (int i = 0; i < names.length; i++) b.append(' ').append(names[i]).append('=').append(v[i]);
            LOG.info(b.toString());
        }
        pending.keySet().removeIf(id -> id <= checkpointId);
    }
}
