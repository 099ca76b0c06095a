package com.clickstream.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Event time per shard (docs/SQL.md, "Event time per shard"): one source subtask reads several shards,
 * each at its own position, so its watermark is the minimum over the shards it reads of (the newest
 * event time read from that shard - the bound). A shard that delivered nothing for {@code idleTimeoutMs}
 * (processing time) is idle and does not hold the watermark back; it counts again with its next record.
 * But a shard that was being read behind (its last record had arrived in the stream more than the idle
 * timeout before it was read: the reader is catching up) is not idle when it pauses: its reads stalled
 * (throttling, a slow emulator, a busy JVM) while records wait for it. It holds the watermark for up to
 * {@value #STALLED_FACTOR} idle timeouts, after which it is treated as idle anyway (a shard that ended
 * behind, for example a parent shard closed by a reshard, must not stop event time for good). A shard
 * restored from a snapshot counts as read behind until its first record.
 * When every shard is idle, nothing holds event time back: the watermark follows the newest shard
 * (max over shards of their newest event time - the bound), so that the last windows of a stream that
 * went quiet still close.
 *
 * <p>Pure logic (no Flink): the caller passes processing time in. Times are epoch milliseconds.
 * A record whose event time is at or before 1970-01-01T00:00:00Z (the placeholder of records without a
 * plausible event time, which go to rejected_events) neither moves nor holds event time.
 *
 * <p>Idleness is measured from the first record after a (re)start, not from the start itself: a job
 * that takes long to start reading (a JVM under load, a slow first GetShardIterator) must not find every
 * shard idle when its first records come. After a fresh start (no restored shards), shards that have not
 * delivered yet are unknown: until {@code holdUnseenMs} after the first record, no watermark is given, so
 * that a shard whose first records come a little later than the others' is never late. After a restore,
 * every shard known at the snapshot holds the watermark until it delivers again or goes idle.
 */
public final class ShardClocks {
    /** No watermark yet: {@link #watermark} returns this while held, and before any event time. */
    public static final long NONE = Long.MIN_VALUE;

    /** A shard read behind holds the watermark for this many idle timeouts without records. */
    public static final int STALLED_FACTOR = 5;

    private static final class Shard {
        long maxEventTime = NONE;
        long lastActive;
        boolean behind;
    }

    private final long boundMs;
    private final long idleTimeoutMs;
    private final Map<String, Shard> shards = new LinkedHashMap<>();
    private final long holdUnseenMs;
    private boolean restored;
    /** Processing time of the first record since the (re)start, or NONE before it. */
    private long firstRecord = NONE;

    /**
     * @param boundMs       the declared out-of-orderness bound (the WATERMARK delay)
     * @param idleTimeoutMs processing time without records after which a shard is idle
     * @param holdUnseenMs  on a fresh start, processing time during which no watermark is given
     * @param now           processing time at start
     */
    public ShardClocks(long boundMs, long idleTimeoutMs, long holdUnseenMs, long now) {
        if (boundMs < 0 || idleTimeoutMs <= 0 || holdUnseenMs < 0) {
            throw new IllegalArgumentException("bound " + boundMs + ", idle timeout " + idleTimeoutMs + ", hold " + holdUnseenMs);
        }
        this.boundMs = boundMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.holdUnseenMs = holdUnseenMs;
    }

    /**
     * Restores a shard known at the last snapshot: it holds the watermark as if it delivered with the
     * first record after the restore. Known shards hold the watermark themselves: no start-up hold.
     */
    public void restore(String shard, long maxEventTime) {
        Shard s = shards.computeIfAbsent(shard, k -> new Shard());
        s.maxEventTime = Math.max(s.maxEventTime, maxEventTime);
        s.lastActive = NONE;
        s.behind = true;
        restored = true;
    }

    /** Records one record of {@code shard} with event time {@code eventTime}, read at {@code now}. */
    public void onRecord(String shard, long eventTime, long now) {
        onRecord(shard, eventTime, now, 0);
    }

    /**
     * Records one record of {@code shard} with event time {@code eventTime}, read at {@code now},
     * {@code readLagMs} after it arrived in the stream (0 when unknown).
     */
    public void onRecord(String shard, long eventTime, long now, long readLagMs) {
        if (firstRecord == NONE) {
            firstRecord = now;
            for (Shard s : shards.values()) if (s.lastActive == NONE) s.lastActive = now;
        }
        if (eventTime <= 0) return;
        Shard s = shards.get(shard);
        if (s == null) {
            s = new Shard();
            shards.put(shard, s);
        }
        if (eventTime > s.maxEventTime) s.maxEventTime = eventTime;
        s.lastActive = now;
        s.behind = readLagMs >= idleTimeoutMs;
    }

    /**
     * The watermark at {@code now}: min over the active shards of (max event time - bound); when every
     * shard is idle, max over all shards of it; {@link #NONE} while the start-up hold lasts and before any
     * event time.
     */
    public long watermark(long now) {
        if (held(now)) return NONE;
        long min = Long.MAX_VALUE;
        long max = NONE;
        for (Shard s : shards.values()) {
            if (s.maxEventTime == NONE) continue;
            if (isActive(s, now)) min = Math.min(min, s.maxEventTime - boundMs);
            max = Math.max(max, s.maxEventTime - boundMs);
        }
        return min != Long.MAX_VALUE ? min : max;
    }

    /** True when no shard is active (after the hold): the subtask must not hold back downstream. */
    public boolean idle(long now) {
        if (firstRecord == NONE || held(now)) return false;
        for (Shard s : shards.values()) {
            if (isActive(s, now)) return false;
        }
        return true;
    }

    /** Newest minus oldest event time over the active shards (how far apart the shards are read), ms. */
    public long skew(long now) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Shard s : shards.values()) {
            if (!isActive(s, now)) continue;
            min = Math.min(min, s.maxEventTime);
            max = Math.max(max, s.maxEventTime);
        }
        return min == Long.MAX_VALUE ? 0 : max - min;
    }

    /** Number of shards that are active at {@code now}. */
    public int activeShards(long now) {
        int n = 0;
        for (Shard s : shards.values()) if (isActive(s, now)) n++;
        return n;
    }

    /** (shard, max event time) of every shard with an event time, for a snapshot. */
    public List<Map.Entry<String, Long>> snapshot() {
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        for (Map.Entry<String, Shard> e : shards.entrySet()) {
            if (e.getValue().maxEventTime != NONE) out.add(Map.entry(e.getKey(), e.getValue().maxEventTime));
        }
        return out;
    }

    /** Before the first record, and on a fresh start until the hold has passed after it. */
    private boolean held(long now) {
        return firstRecord == NONE ? !restored : !restored && now - firstRecord < holdUnseenMs;
    }

    private boolean isActive(Shard s, long now) {
        if (s.maxEventTime == NONE) return false;
        if (s.lastActive == NONE) return true;
        return now - s.lastActive < (s.behind ? STALLED_FACTOR * idleTimeoutMs : idleTimeoutMs);
    }

    /** The shards that are idle at {@code now} (for the log). */
    public List<String> idleShards(long now) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Shard> e : shards.entrySet()) {
            if (e.getValue().maxEventTime != NONE && !isActive(e.getValue(), now)) out.add(e.getKey());
        }
        return out;
    }
}
