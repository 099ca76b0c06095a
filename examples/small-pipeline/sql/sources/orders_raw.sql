-- Orders as they arrive on the stream, one JSON object per record, read raw. JSON_FIELDS and
-- PARSE_EVENT_TIME are registered by the runner (docs/SQL.md in the clickstream project).
CREATE TABLE orders_raw (
  payload STRING,
  fields AS JSON_FIELDS(payload),
  rowtime AS COALESCE(
    PARSE_EVENT_TIME(JSON_FIELDS(payload)['ordered_at'],
      TIMESTAMP '2000-01-01 00:00:00', LOCALTIMESTAMP + INTERVAL '1' DAY),
    TIMESTAMP '1970-01-01 00:00:00.000'),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '1' MINUTE
);
