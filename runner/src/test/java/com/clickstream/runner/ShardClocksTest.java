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
    void aShardReadBehindThatStallsHoldsTheWatermarkForFiveIdleTimeouts() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 0, 0);
        c.onRecord("a", T + 9 * MIN, 0, 100);        // a: read live (100 ms after it arrived)
        c.onRecord("b", T + MIN, 0, 90_000);         // b: catching up, read 90 s after it arrived; then its reads stall
        for (long now = 1_000; now < 50_000; now += 1_000) c.onRecord("a", T + 9 * MIN, now, 100);
        assertEquals(T, c.watermark(49_999));        // b still holds it: its records are waiting, not absent
        assertEquals(List.of(), c.idleShards(49_999));
        assertEquals(T + 8 * MIN, c.watermark(50_000)); // given up after 5 x 10 s
        assertEquals(List.of("b"), c.idleShards(50_000));
        c.onRecord("c", T + 2 * MIN, 51_000, 0);
        assertEquals(List.of("a", "b"), c.idleShards(60_999));      // a, read live, idle 10 s after its last record
        assertEquals(List.of("a", "b", "c"), c.idleShards(61_000));
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
        assertEquals(ShardClocks.NONE, c.watermark(50_000));  // nothing read yet: no time passes for idleness
        assertFalse(c.idle(50_000));
        c.onRecord("a", T + 5 * MIN, 51_000);
        assertEquals(ShardClocks.NONE, c.watermark(60_999)); // b may still come with older events
        assertFalse(c.idle(60_999));
        c.onRecord("b", T + MIN, 52_000);
        assertEquals(T, c.watermark(61_000));
    }

    @Test
    void aRestoredShardHoldsTheWatermarkUntilItDeliversOrGoesIdleAfterTheFirstRecord() {
        ShardClocks c = new ShardClocks(MIN, 10_000, 10_000, 1_000);
        c.restore("b", T + MIN);                         // known at the snapshot: no start-up hold
        assertEquals(T, c.watermark(30_000));             // the restored clocks give a watermark at once
        assertFalse(c.idle(30_000));                      // a slow start is not idleness
        c.onRecord("a", T + 9 * MIN, 31_000);             // a's backlog is read first
        assertEquals(T, c.watermark(31_000));             // b holds it at 10:01 - 1 min
        for (long now = 36_000; now <= 81_000; now += 5_000) c.onRecord("a", T + 10 * MIN, now);
        assertEquals(List.of(), c.idleShards(80_999));
        assertEquals(T, c.watermark(80_999));             // b, restored (read behind until it delivers), holds 5 x 10 s
        assertEquals(T + 9 * MIN, c.watermark(81_000));   // then a alone
        assertEquals(List.of("b"), c.idleShards(81_000));
        assertEquals(List.of(Map.entry("b", T + MIN), Map.entry("a", T + 10 * MIN)), c.snapshot());
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
