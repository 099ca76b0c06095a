-- The clickstream as it arrives: one Kinesis record = one event, read RAW (format = 'raw') so that the
-- format can never drop or fail a record. Parsing and validation happen in sql/views/.
--
-- event_ts : the event's own time (JSON field event_time: ISO-8601 with zone, or epoch milliseconds),
--            UTC, NULL when absent or unparsable.
-- rowtime  : the event-time attribute. A NULL rowtime would fail the job, and an absurd one would
--            move the watermark, so it is event_ts only when event_ts is plausible (on/after
--            2000-01-01 and at most 1 day after the time the record is processed); otherwise the epoch
--            (1970-01-01), which the views reject as bad_timestamp or absurd_timestamp.
-- Watermark: events may arrive up to 1 minute out of order; a window is final 1 minute after its end.
CREATE TABLE clickstream_raw (
  payload STRING,
  proc_time AS PROCTIME(),
  event_ts AS PARSE_EVENT_TIME(JSON_VALUE(payload, '$.event_time')),
  rowtime AS COALESCE(
    CASE
      WHEN PARSE_EVENT_TIME(JSON_VALUE(payload, '$.event_time')) >= TIMESTAMP '2000-01-01 00:00:00'
       AND PARSE_EVENT_TIME(JSON_VALUE(payload, '$.event_time')) <= LOCALTIMESTAMP + INTERVAL '1' DAY
      THEN PARSE_EVENT_TIME(JSON_VALUE(payload, '$.event_time'))
    END,
    TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '1' MINUTE
);
