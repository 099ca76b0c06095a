-- Clicks per page over the windows of the last 3 hours, the stagger equivalent: the clicks counted in
-- page_clicks_late's windows (one row per window key) plus the stragglers that arrived after their
-- window had closed, which the runner recorded in late_events instead (as KA's stagger window added a
-- row for a straggler). Top pages per region and site; late_clicks says how many of the clicks were
-- stragglers. A dashboard query (top_pages_late_tolerant_history.sql covers the whole season; how to
-- change the range: active_users_1m_latest.sql).
SELECT region, site, page_url, SUM(clicks) AS clicks, SUM(late_clicks) AS late_clicks
FROM (
  SELECT region, site, page_url, MAX(clicks) AS clicks, 0 AS late_clicks
  FROM page_clicks_late
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
  GROUP BY region, site, page_url, window_start
  UNION ALL
  SELECT region, site, page_url, COUNT(DISTINCT event_id) AS clicks, COUNT(DISTINCT event_id) AS late_clicks
  FROM late_events
  WHERE event_type = 'click' AND page_url IS NOT NULL
    AND strpos(',' || closed_outputs || ',', ',page_clicks_late,') > 0
    AND
    event_time >= CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP) - INTERVAL '3' HOUR
    -- Only the partitions that can hold these rows are read: rows are stored by delivery hour (UTC),
    -- never before their event_time, so the last 3 hours and this one. Each key's values are listed
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
  GROUP BY region, site, page_url
) AS counted
GROUP BY region, site, page_url
ORDER BY clicks DESC, region, site, page_url
LIMIT 100
