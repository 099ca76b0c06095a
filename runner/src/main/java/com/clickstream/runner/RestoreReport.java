package com.clickstream.runner;

import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.shaded.guava31.com.google.common.hash.Hashing;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which operators of a job get their state from a snapshot, and which snapshot state has no operator
 * any more (local runs with {@code --restore}; Managed Flink restores by itself). Flink's operator id
 * is the 128-bit murmur3 hash (seed 0) of the uid ({@code StreamGraphHasherV2}), so the report matches
 * the job's uids ({@link OperatorUids}) against the ids in the snapshot's {@code _metadata}.
 */
final class RestoreReport {
    private RestoreReport() {}

    static OperatorID operatorId(String uid) {
        return new OperatorID(Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8).hash().asBytes());
    }

    /** Lines: {@code restore: kept <uid> (<operator>)}, {@code restore: empty <uid> (<operator>)}, {@code restore: dropped <id>}. */
    static List<String> lines(StreamGraph graph, String snapshot) {
        Map<OperatorID, OperatorState> states = new HashMap<>();
        for (OperatorState s : load(snapshot).getOperatorStates()) {
            if (s.getStates().stream().anyMatch(st -> st.hasState()) || s.getCoordinatorState() != null) states.put(s.getOperatorID(), s);
        }
        List<String> lines = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodes()) {
            String uid = node.getTransformationUID();
            if (uid == null) continue;
            OperatorState state = states.remove(operatorId(uid));
            if (state != null) {
                lines.add("restore: kept " + uid + " (" + node.getOperatorName() + ", " + state.getStateSize() + " bytes)");
            } else if (stateful(node.getOperatorName())) {
                lines.add("restore: empty " + uid + " (" + node.getOperatorName() + ")");
            }
        }
        for (OperatorState s : states.values()) {
            lines.add("restore: dropped " + s.getOperatorID() + " (" + s.getStateSize() + " bytes: no operator of this job has its uid)");
        }
        return lines;
    }

    /** Operators that keep state (a local pre-aggregation only buffers until the next checkpoint). */
    private static boolean stateful(String name) {
        return !name.startsWith("LocalWindowAggregate")
                && name.matches(".*(Aggregate|Deduplicate|Rank|Join|Sink|Writer|Committer|Source|EventTime|Lateness).*");
    }

    private static CheckpointMetadata load(String snapshot) {
        Path dir = snapshot.startsWith("file:") ? Path.of(URI.create(snapshot)) : Path.of(snapshot);
        Path metadata = Files.isDirectory(dir) ? dir.resolve("_metadata") : dir;
        try (InputStream in = Files.newInputStream(metadata)) {
            return Checkpoints.loadCheckpointMetadata(new DataInputStream(in), RestoreReport.class.getClassLoader(), snapshot);
        } catch (Exception e) {
            throw new StartupException("cannot read the snapshot " + metadata + ": " + StartupException.rootMessage(e));
        }
    }
}
