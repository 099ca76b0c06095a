package com.clickstream.runner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WatermarkBoundTest {
    @Test
    void readsAFixedDelayAsThePlannerSerializesIt() {
        assertEquals(60_000, WatermarkBound.millis("f.sql", "rowtime", "`rowtime` - INTERVAL '1' MINUTE"));
        assertEquals(90_000, WatermarkBound.millis("f.sql", "rowtime", "`rowtime` - INTERVAL '90' SECOND"));
        assertEquals(500, WatermarkBound.millis("f.sql", "rowtime", "`rowtime` - INTERVAL '0.5' SECOND"));
        assertEquals(7_200_000, WatermarkBound.millis("f.sql", "rowtime", "`rowtime` - INTERVAL '2' HOUR"));
        assertEquals(0, WatermarkBound.millis("f.sql", "rowtime", "`rowtime`"));
    }

    @Test
    void rejectsAnythingElseWithOneLineThatSaysWhatToWrite() {
        StartupException e = assertThrows(StartupException.class,
                () -> WatermarkBound.millis("sql/sources/clickstream_raw.sql", "rowtime", "`rowtime` - INTERVAL '1:30' MINUTE TO SECOND"));
        assertEquals("sql/sources/clickstream_raw.sql: WATERMARK FOR rowtime AS `rowtime` - INTERVAL '1:30' MINUTE TO SECOND is "
                + "not supported: the runner tracks event time per shard with a fixed delay; write rowtime - INTERVAL 'n' "
                + "SECOND|MINUTE|HOUR|DAY (or rowtime for no delay)", e.getMessage());
        assertThrows(StartupException.class, () -> WatermarkBound.millis("f.sql", "rowtime", "`other` - INTERVAL '1' MINUTE"));
        assertThrows(StartupException.class, () -> WatermarkBound.millis("f.sql", "rowtime", "`rowtime` - INTERVAL '1.5' MINUTE"));
    }
}
