-- Rejected records per region and reason, received in the last 3 hours. A dashboard query
-- (rejected_events_by_reason_history.sql counts the whole season). After a restore, records read since
-- the last checkpoint are processed again and their rejection is re-sent with a new received_at, so
-- copies are collapsed on (region, reason, payload): identical bad payloads count once.
SELECT region, reason, COUNT(*) AS records, MIN(first_received_at) AS first_received_at
FROM (
  SELECT region, reason, payload, MIN(received_at) AS first_received_at
  FROM rejected_events
  WHERE {{ last_hours(received_at) }}
  GROUP BY region, reason, payload
) AS r
GROUP BY region, reason
ORDER BY records DESC, region, reason
