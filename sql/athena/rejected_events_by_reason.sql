-- Rejected records per region and reason, received in the last 3 hours. A dashboard query
-- (rejected_events_by_reason_history.sql counts the whole season; how to change the range:
-- active_users_1m_latest.sql). After a restore, records read since the last checkpoint are processed
-- again and their rejection is re-sent with a new received_at, so copies are collapsed on
-- (region, reason, payload): identical bad payloads count once.
SELECT region, reason, COUNT(*) AS records, MIN(first_received_at) AS first_received_at
FROM (
  SELECT region, reason, payload, MIN(received_at) AS first_received_at
  FROM rejected_events
  WHERE
    received_at >= CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP) - INTERVAL '3' HOUR
    -- Only the partitions that can hold these rows are read: rows are stored by delivery hour (UTC),
    -- never before their received_at, so the last 3 hours and this one. Each key's values are listed
    -- (Athena's partition projection resolves them), and the last condition drops the combinations
    -- of those lists that are not one of these hours (docs/LAKE.md, "Dashboard queries").
    AND year IN (CAST(year(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR),
                 CAST(year(current_timestamp AT TIME ZONE 'UTC') AS VARCHAR))
    AND month IN (lpad(CAST(month(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR), 2, '0'),
                  lpad(CAST(month(current_timestamp AT TIME ZONE 'UTC') AS VARCHAR), 2, '0'))
    AND day IN (lpad(CAST(day(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR), 2, '0'),
                lpad(CAST(day(current_timestamp AT TIME ZONE 'UTC') AS VARCHAR), 2, '0'))
    AND hour IN (lpad(CAST(hour(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR), 2, '0'),
                 lpad(CAST(hour(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '2' HOUR) AS VARCHAR), 2, '0'),
                 lpad(CAST(hour(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '1' HOUR) AS VARCHAR), 2, '0'),
                 lpad(CAST(hour(current_timestamp AT TIME ZONE 'UTC') AS VARCHAR), 2, '0'))
    AND year || month || day || hour >= CAST(year(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR)
        || lpad(CAST(month(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR), 2, '0')
        || lpad(CAST(day(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR), 2, '0')
        || lpad(CAST(hour(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR), 2, '0')
  GROUP BY region, reason, payload
) AS r
GROUP BY region, reason
ORDER BY records DESC, region, reason
