-- The clickstream as it arrives: one Kinesis record = one event, read RAW (format = 'raw') so that the
-- format can never drop or fail a record. Parsing and validation happen in sql/views/.
--
-- fields   : the payload parsed ONCE into its fields (JSON_FIELDS, registered by the runner):
--            fields['x'] = JSON_VALUE(payload, '$.x') (a scalar as text), fields['x.y'] =
--            JSON_VALUE(payload, '$.x.y') (a scalar nested in objects, any depth), fields['$.x'] =
--            JSON_QUERY(payload, '$.x') (an object or array as JSON text); NULL when the payload is not
--            a JSON object. Every view and output reads fields, never JSON_VALUE(payload, ...).
-- rowtime  : the event-time attribute: the event's own time (JSON field event_time: ISO-8601 with zone,
--            or epoch milliseconds, as UTC), when it is plausible (on/after 2000-01-01 and at most
--            1 day after the time the record is processed: the 3-argument PARSE_EVENT_TIME returns
--            NULL outside those bounds). A NULL rowtime would fail the job, and an absurd one would
--            move the watermark, so otherwise it is the epoch (1970-01-01), which events_parsed
--            rejects as bad_timestamp or absurd_timestamp. (event_ts, the parsed time without the
--            plausibility bounds, is a column of events_parsed.)
-- A computed column cannot read another one, so fields and rowtime each call JSON_FIELDS(payload); the
-- runner's JSON_FIELDS memoizes its last record, so the payload is parsed once per record. Keep the
-- column list minimal: both branches (valid and rejected) must need every column, so that Flink plans
-- ONE source projection + watermark assigner for both instead of one per branch (docs/SQL.md).
-- Watermark: events may arrive up to 1 minute out of order; a window is final 1 minute after its end.
CREATE TABLE clickstream_raw (
  payload STRING,
  proc_time AS PROCTIME(),
  fields AS JSON_FIELDS(payload),
  rowtime AS COALESCE(
    PARSE_EVENT_TIME(JSON_FIELDS(payload)['event_time'],
      TIMESTAMP '2000-01-01 00:00:00', LOCALTIMESTAMP + INTERVAL '1' DAY),
    TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '1' MINUTE
);
