package com.clickstream.runner;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When an event is late (docs/SQL.md, "Lateness"): the one decision that sends an event either to every
 * window it belongs to or to late_events, never both. For each output the runner knows, from the
 * planner's own plan of its INSERT, which event-time windows it fills:
 * <ul>
 *   <li>TUMBLE, HOP and CUMULATE windows: the event is late for the output once the first window that
 *       contains it has fired, i.e. once the watermark reached that window's end - 1 ms (Flink fires
 *       window [a, b) at watermark b - 1 ms and drops what arrives for it afterwards);</li>
 *   <li>any other event-time operation (OVER, SESSION, interval joins, ...): late once the watermark
 *       reached the event's own time, which no such operation can accept any more;</li>
 *   <li>no event-time operation (rejected_events, late_events, processing-time windows): never late.</li>
 * </ul>
 * An event is late when it is late for at least one output; {@link #closedOutputs} names them.
 * Pure and serializable: it travels with the job graph to the lateness operator.
 */
public final class LatenessRules implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Windows that start every {@code stepMs} (the slide of HOP, the step of CUMULATE, the size of TUMBLE). */
    static final class Grid implements Serializable {
        private static final long serialVersionUID = 1L;
        final long stepMs;
        final long offsetMs;

        Grid(long stepMs, long offsetMs) {
            if (stepMs <= 0) throw new IllegalArgumentException("window step " + stepMs);
            this.stepMs = stepMs;
            this.offsetMs = offsetMs;
        }

        /** End of the first window of this grid that contains {@code t}. */
        long firstEnd(long t) {
            return Math.floorDiv(t - offsetMs, stepMs) * stepMs + stepMs + offsetMs;
        }

        @Override
        public String toString() {
            return "every " + stepMs + " ms" + (offsetMs == 0 ? "" : " offset " + offsetMs + " ms");
        }
    }

    /** The event-time operations of one output. */
    static final class OutputRule implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<Grid> grids;
        final boolean strict;

        OutputRule(List<Grid> grids, boolean strict) {
            this.grids = List.copyOf(grids);
            this.strict = strict;
        }

        boolean eventTime() {
            return strict || !grids.isEmpty();
        }

        boolean closed(long t, long watermark) {
            if (strict && watermark >= t) return true;
            for (Grid g : grids) {
                if (watermark >= g.firstEnd(t) - 1) return true;
            }
            return false;
        }
    }

    private final Map<String, OutputRule> outputs;

    private LatenessRules(Map<String, OutputRule> outputs) {
        this.outputs = Collections.unmodifiableMap(new TreeMap<>(outputs));
    }

    /** Rules from each output's optimized plan (output name -> {@code TableEnvironment.explainSql} text). */
    public static LatenessRules fromPlans(Map<String, String> plans) {
        Map<String, OutputRule> rules = new TreeMap<>();
        for (Map.Entry<String, String> e : plans.entrySet()) {
            OutputRule rule = ruleOf(e.getValue());
            if (rule.eventTime()) rules.put(e.getKey(), rule);
        }
        return new LatenessRules(rules);
    }

    private static final Pattern WINDOW = Pattern.compile(
            "\\b(TUMBLE|HOP|CUMULATE|SESSION)\\(time_col=\\[([^\\]]+)\\]([^)]*)\\)");
    private static final Pattern ARG = Pattern.compile("(size|slide|step|max_size|offset|gap)=\\[([^\\]]+)\\]");
    /** Operators that drop records at or behind the watermark without a window grid we can read. */
    private static final Pattern OTHER_EVENT_TIME = Pattern.compile(
            "\\b(OverAggregate|GroupWindowAggregate|PythonGroupWindowAggregate|IntervalJoin|Match|TemporalSort|TemporalJoin)\\(");

    /** The rule of one output from the "Optimized Physical Plan" of its INSERT. */
    static OutputRule ruleOf(String explain) {
        String plan = physicalPlan(explain);
        List<Grid> grids = new ArrayList<>();
        boolean strict = OTHER_EVENT_TIME.matcher(plan).find();
        Matcher w = WINDOW.matcher(plan);
        while (w.find()) {
            String timeColumn = w.group(2);
            if (plan.contains("PROCTIME() AS " + timeColumn)) continue; // processing time: nothing is late
            if (w.group(1).equals("SESSION")) {
                strict = true;
                continue;
            }
            Map<String, Long> args = new TreeMap<>();
            Matcher a = ARG.matcher(w.group(3));
            while (a.find()) args.put(a.group(1), durationMillis(a.group(2)));
            long offset = args.getOrDefault("offset", 0L);
            switch (w.group(1)) {
                case "TUMBLE": grids.add(new Grid(args.get("size"), offset)); break;
                case "HOP": grids.add(new Grid(args.get("slide"), offset)); break;
                default: grids.add(new Grid(args.get("step"), offset)); break; // CUMULATE
            }
        }
        return new OutputRule(grids, strict);
    }

    private static String physicalPlan(String explain) {
        int start = explain.indexOf("== Optimized Physical Plan ==");
        int end = explain.indexOf("== Optimized Execution Plan ==");
        return start < 0 ? explain : explain.substring(start, end < 0 ? explain.length() : end);
    }

    /** A duration as the planner prints it: "1 min", "5 min", "10 s", "1 h", "1 d", "500 ms". */
    static long durationMillis(String text) {
        String[] p = text.strip().split("\\s+");
        if (p.length == 2) {
            long n = Long.parseLong(p[0]);
            switch (p[1]) {
                case "ms": return n;
                case "s": return n * 1_000L;
                case "min": return n * 60_000L;
                case "h": return n * 3_600_000L;
                case "d": return n * 86_400_000L;
                default: break;
            }
        }
        throw new StartupException("cannot read the window duration '" + text + "' in the plan");
    }

    /**
     * The outputs whose window for an event at {@code eventTime} had closed at {@code watermark}, sorted
     * and comma-separated; null when none had (the event is on time) or when there is no watermark yet.
     */
    public String closedOutputs(long eventTime, long watermark) {
        if (watermark == Long.MIN_VALUE) return null;
        StringBuilder b = null;
        for (Map.Entry<String, OutputRule> e : outputs.entrySet()) {
            if (e.getValue().closed(eventTime, watermark)) {
                b = b == null ? new StringBuilder(e.getKey()) : b.append(',').append(e.getKey());
            }
        }
        return b == null ? null : b.toString();
    }

    /** The outputs with event-time operations and their rules, for the startup log. */
    public String describe() {
        if (outputs.isEmpty()) return "no event-time windows: nothing can be late";
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, OutputRule> e : outputs.entrySet()) {
            if (b.length() > 0) b.append("; ");
            b.append(e.getKey()).append(": ");
            OutputRule r = e.getValue();
            List<String> parts = new ArrayList<>();
            for (Grid g : r.grids) parts.add("windows " + g);
            if (r.strict) parts.add("other event-time operations (late at the watermark)");
            b.append(String.join(", ", parts));
        }
        return b.toString();
    }

    public boolean isEmpty() {
        return outputs.isEmpty();
    }
}
