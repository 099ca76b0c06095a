-- Every record that is not a valid event, with its raw payload (first 65,536 characters), the reason
-- (sql/views/events_parsed.sql) and the time it was received (processing time, UTC).
CREATE TABLE rejected_events (
  received_at TIMESTAMP(3),
  region STRING,
  reason STRING,
  payload STRING
);

INSERT INTO rejected_events
SELECT CAST(proc_time AS TIMESTAMP(3)) AS received_at, SOURCE_REGION() AS region,
       reject_reason AS reason, SUBSTRING(payload, 1, 65536) AS payload
FROM events_parsed
WHERE reject_reason IS NOT NULL;
