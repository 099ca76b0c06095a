package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardClocksTest {
    static final long MIN = 60_000;
    static final long T = 1_795_168_800_000L; // 2026-11-20T10:00:00Z

    @Test
    void watermarkIsTheSlowestActiveShardMinusTheBound() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 0, 0);
        c.onRecord("a", T + 5 * MIN, 0);  // shard a read up to 10:05
        c.onRecord("b", T + MIN, 0);      // shard b behind, at 10:01
        assertEquals(T, c.watermark(1));  // 10:01 - 1 min, not 10:04
        assertEquals(4 * MIN, c.skew(1));
        assertEquals(2, c.activeShards(1));
        c.onRecord("b", T + 3 * MIN, 2);  // b catches up
        assertEquals(T + 2 * MIN, c.watermark(3));
    }

    @Test
    void anIdleShardStopsHoldingBackAndCountsAgainWithItsNextRecord() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 0, 0);
        c.onRecord("a", T + 5 * MIN, 0);
        c.onRecord("b", T + MIN, 0);
        c.onRecord("a", T + 6 * MIN, 9_000);
        assertEquals(T, c.watermark(9_999));            // b active until 10 s without records
        assertEquals(T + 5 * MIN, c.watermark(10_000)); // b idle: a alone
        assertFalse(c.idle(10_000));
        c.onRecord("b", T + 2 * MIN, 10_500);
        assertEquals(T + MIN, c.watermark(10_500));     // b counts again (the caller never lowers its watermark)
    }

    @Test
    void whenEveryShardIsIdleTheNewestShardLeads() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 0, 0);
        c.onRecord("a", T + 5 * MIN, 0);
        c.onRecord("b", T + MIN, 0);
        assertTrue(c.idle(10_000));
        assertEquals(T + 4 * MIN, c.watermark(10_000));
        assertEquals(0, c.activeShards(10_000));
    }

    @Test
    void aFreshStartWaitsForShardsThatHaveNotDeliveredYet() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 10_000, 1_000);
        c.onRecord("a", T + 5 * MIN, 1_100);
        assertEquals(ShardClocks.NONE, c.watermark(10_999)); // b may still come with older events
        assertFalse(c.idle(10_999));
        c.onRecord("b", T + MIN, 2_000);
        assertEquals(T, c.watermark(11_000));
    }

    @Test
    void aRestoredShardHoldsTheWatermarkUntilItDeliversOrGoesIdle() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 10_000, 1_000);
        c.restore("b", T + MIN, 1_000);                // known at the snapshot: no start-up hold
        c.onRecord("a", T + 9 * MIN, 1_200);            // a's backlog is read first
        assertEquals(T, c.watermark(1_200));            // b holds it at 10:01 - 1 min
        assertEquals(T + 8 * MIN, c.watermark(11_000)); // b idle since its restore
        assertEquals(List.of(Map.entry("b", T + MIN), Map.entry("a", T + 9 * MIN)), c.snapshot());
    }

    @Test
    void recordsWithoutAPlausibleEventTimeNeitherMoveNorHoldEventTime() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 0, 0);
        c.onRecord("a", T + 5 * MIN, 0);
        c.onRecord("junk", 0, 0); // the 1970-01-01 placeholder of a rejected record
        assertEquals(T + 4 * MIN, c.watermark(1));
        assertEquals(1, c.activeShards(1));
        assertEquals(List.of(Map.entry("a", T + 5 * MIN)), c.snapshot());
    }
}
