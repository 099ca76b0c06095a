package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatenessRulesTest {
    static final long T = 1_795_168_800_000L; // 2026-11-20T10:00:00Z
    static final long S = 1_000;
    static final long MIN = 60 * S;

    static String plan(String physical) {
        return "== Abstract Syntax Tree ==\nx\n\n== Optimized Physical Plan ==\n" + physical + "\n\n== Optimized Execution Plan ==\ny\n";
    }

    static final String TUMBLE = plan("GlobalWindowAggregate(groupBy=[k], window=[TUMBLE(slice_end=[$slice_end], size=[1 min])], select=[k])\n"
            + "+- LocalWindowAggregate(groupBy=[k], window=[TUMBLE(time_col=[rowtime], size=[1 min])], select=[k])");
    static final String HOP = plan("LocalWindowAggregate(groupBy=[k], window=[HOP(time_col=[rowtime], size=[5 min], slide=[1 min])], select=[k])");
    static final String CUMULATE = plan("LocalWindowAggregate(groupBy=[k], window=[CUMULATE(time_col=[rowtime], max_size=[1 h], step=[10 s], offset=[5 s])], select=[k])");
    static final String PROCTIME = plan("WindowAggregate(groupBy=[k], window=[TUMBLE(time_col=[proc_time], size=[1 min])], select=[k])\n"
            + "+- Calc(select=[k, PROCTIME() AS proc_time])");
    static final String OVER = plan("OverAggregate(partitionBy=[k], orderBy=[rowtime ASC], window=[ RANG BETWEEN 300000 PRECEDING AND CURRENT ROW], select=[k])");
    static final String SESSION = plan("WindowAggregate(groupBy=[k], window=[SESSION(time_col=[rowtime], gap=[1 min], partition keys=[k])], select=[k])");
    static final String NONE = plan("Sink(table=[default_catalog.default_database.rejected_events], fields=[a])\n+- Calc(select=[a], where=[IS NOT NULL(r)])");

    static LatenessRules rules(String... nameAndPlan) {
        Map<String, String> plans = new TreeMap<>();
        for (int i = 0; i < nameAndPlan.length; i += 2) plans.put(nameAndPlan[i], nameAndPlan[i + 1]);
        return LatenessRules.fromPlans(plans);
    }

    @Test
    void aTumblingWindowClosesAtItsEndMinusOneMillisecond() {
        LatenessRules r = rules("clicks_1m", TUMBLE);
        long t = T + 30 * S;                                       // in [10:00, 10:01)
        assertNull(r.closedOutputs(t, T + MIN - 2));               // watermark 10:00:59.998: open
        assertEquals("clicks_1m", r.closedOutputs(t, T + MIN - 1)); // 10:00:59.999: fired
        assertNull(r.closedOutputs(T + MIN, T + MIN - 1));         // 10:01:00.000 belongs to the next window
        assertNull(r.closedOutputs(t, Long.MIN_VALUE));            // no watermark yet
    }

    @Test
    void slidingAndCumulatingWindowsCloseWithTheFirstWindowThatHoldsTheEvent() {
        LatenessRules r = rules("users_5m", HOP, "revenue_1h", CUMULATE);
        long t = T + 30 * S;
        assertNull(r.closedOutputs(t, T + 34 * S)); // cumulate steps of 10 s, offset 5 s: first window ends 10:00:35
        assertEquals("revenue_1h", r.closedOutputs(t, T + 35 * S - 1));
        assertEquals("revenue_1h,users_5m", r.closedOutputs(t, T + MIN - 1)); // hop slide 1 min: first ends 10:01
    }

    @Test
    void otherEventTimeOperationsCloseAtTheEventsOwnTimeAndProcessingTimeNever() {
        LatenessRules r = rules("over", OVER, "session", SESSION, "by_arrival", PROCTIME, "rejected_events", NONE);
        assertNull(r.closedOutputs(T, T - 1));
        assertEquals("over,session", r.closedOutputs(T, T));
        assertEquals("over: other event-time operations (late at the watermark); session: other event-time operations (late at the watermark)",
                r.describe());
        assertTrue(rules("rejected_events", NONE, "by_arrival", PROCTIME).isEmpty());
    }

    @Test
    void readsTheDurationsThePlannerPrints() {
        assertEquals(500, LatenessRules.durationMillis("500 ms"));
        assertEquals(10 * S, LatenessRules.durationMillis("10 s"));
        assertEquals(5 * MIN, LatenessRules.durationMillis("5 min"));
        assertEquals(3_600_000, LatenessRules.durationMillis("1 h"));
        assertEquals(86_400_000, LatenessRules.durationMillis("1 d"));
        assertThrows(StartupException.class, () -> LatenessRules.durationMillis("1 fortnight"));
    }
}
