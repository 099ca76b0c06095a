-- Active users per minute, site and country, for the windows of the last 3 hours: one row per window
-- key. A dashboard query: it reads the last hours' partitions only (active_users_1m_history.sql reads
-- the whole season, for reports). The Firehose sink is at-least-once, so a window row can be delivered
-- twice (with the same final value); GROUP BY the window key collapses the copies. Runs on Athena
-- (Trino) and DuckDB. Another range of N hours (N at most 23: the lists name two days): write N for the
-- 3 of each INTERVAL '3' HOUR below, and list in hour IN (...) every hour from N hours ago to now.
SELECT region, site, country, window_start, window_end, MAX(active_users) AS active_users
FROM active_users_1m
WHERE
  window_start >= CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP) - INTERVAL '3' HOUR
  -- Only the partitions that can hold these rows are read: rows are stored by delivery hour (UTC),
  -- never before their window_start, so the last 3 hours and this one. Each key's values are listed
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
GROUP BY region, site, country, window_start, window_end
ORDER BY window_start DESC, region, site, country
