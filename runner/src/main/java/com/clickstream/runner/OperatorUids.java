package com.clickstream.runner;

import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.transformations.LegacySinkTransformation;
import org.apache.flink.streaming.api.transformations.SinkTransformation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stable operator uids, so that a SQL change restores the state it can (docs/REGION.md, "What a SQL
 * change does to state"). Flink maps snapshot state to operators by uid; without uids it derives them
 * from the position of each operator in the job graph, which any added output shifts.
 * <ul>
 *   <li>the source ({@code source:<table>}) and its event time ({@code event-time:<table>}), and the
 *       lateness split ({@code lateness:events_unique}): fixed, set where they are built;</li>
 *   <li>every sink: {@code sink:<table>}, so that records it buffered at the snapshot are still sent;</li>
 *   <li>every other operator: its kind and a hash of its own plan description and of its inputs' uids.
 *       An operator keeps its state exactly when it, and everything upstream of it, is unchanged.</li>
 * </ul>
 */
final class OperatorUids {
    private OperatorUids() {}

    private static final Pattern SINK_TABLE = Pattern.compile("Sink\\(table=\\[(?:[^\\].]+\\.)*([^\\].]+)\\]");
    private static final Pattern NODE_ID_PREFIX = Pattern.compile("^\\[\\d+\\]:");
    private static final Pattern NODE_ID_SUFFIX = Pattern.compile("\\[\\d+\\]$");

    /** Sets a uid on every transformation reachable from {@code roots} that has none; returns uid -> label. */
    static Map<String, String> assign(List<Transformation<?>> roots) {
        Map<Integer, String> done = new HashMap<>();
        Set<String> used = new HashSet<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (Transformation<?> t : roots) assign(t, done, used, labels);
        return labels;
    }

    private static String assign(Transformation<?> t, Map<Integer, String> done, Set<String> used, Map<String, String> labels) {
        String known = done.get(t.getId());
        if (known != null) return known;
        List<String> inputs = new ArrayList<>();
        for (Transformation<?> input : t.getInputs()) inputs.add(assign(input, done, used, labels));
        String uid = t.getUid();
        if (uid == null) {
            String table = sinkTable(t);
            String base = table != null ? "sink:" + table : kind(t) + ":" + hash(description(t) + "|" + String.join("|", inputs));
            uid = base;
            for (int n = 2; used.contains(uid); n++) uid = base + "~" + n; // two identical branches
            t.setUid(uid);
        }
        used.add(uid);
        done.put(t.getId(), uid);
        labels.put(uid, NODE_ID_SUFFIX.matcher(t.getName()).replaceAll(""));
        return uid;
    }

    /** The tables the job writes, one per sink, in the order of {@code roots}. */
    static List<String> sinkTables(List<Transformation<?>> roots) {
        List<String> tables = new ArrayList<>();
        for (Transformation<?> t : reachable(roots)) {
            String table = sinkTable(t);
            if (table != null) tables.add(table);
        }
        return tables;
    }

    /**
     * The tables the job reads, one per source operator: {@code <table>} of a source whose uid is
     * {@code source:<table>} (a table with event time per shard), else the name the planner gave it.
     */
    static List<String> sourceTables(List<Transformation<?>> roots) {
        List<String> tables = new ArrayList<>();
        for (Transformation<?> t : reachable(roots)) {
            if (!t.getInputs().isEmpty()) continue;
            String uid = t.getUid();
            tables.add(uid != null && uid.startsWith("source:") ? uid.substring("source:".length())
                    : NODE_ID_SUFFIX.matcher(t.getName()).replaceAll(""));
        }
        return tables;
    }

    /** Every transformation reachable from {@code roots}, each once, inputs before their consumers. */
    private static List<Transformation<?>> reachable(List<Transformation<?>> roots) {
        List<Transformation<?>> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Transformation<?> t : roots) reachable(t, seen, out);
        return out;
    }

    private static void reachable(Transformation<?> t, Set<Integer> seen, List<Transformation<?>> out) {
        if (!seen.add(t.getId())) return;
        for (Transformation<?> input : t.getInputs()) reachable(input, seen, out);
        out.add(t);
    }

    /** The table a sink writes, or null when {@code t} is not a sink. */
    static String sinkTable(Transformation<?> t) {
        String d = description(t);
        Matcher m = SINK_TABLE.matcher(d);
        if ((t instanceof SinkTransformation || t instanceof LegacySinkTransformation || d.startsWith("Sink(")) && m.find()) {
            return m.group(1);
        }
        return null;
    }

    /** The planner's description without its node id (which counts nodes, and so shifts). */
    static String description(Transformation<?> t) {
        String d = t.getDescription() != null ? t.getDescription() : t.getName();
        return NODE_ID_PREFIX.matcher(d).replaceFirst("");
    }

    private static String kind(Transformation<?> t) {
        String name = NODE_ID_SUFFIX.matcher(t.getName()).replaceAll("");
        return name.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(java.util.Locale.ROOT);
    }

    static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 8; i++) b.append(String.format("%02x", d[i]));
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
