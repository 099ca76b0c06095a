-- Purchases and cart value per campaign and minute, for the windows of the last 3 hours: one row per
-- window key. A dashboard query (cart_value_by_campaign_history.sql reads the whole season; how to
-- change the range: active_users_1m_latest.sql).
SELECT region, site, campaign, window_start, window_end,
       MAX(purchases) AS purchases, MAX(cart_value) AS cart_value
FROM cart_value_by_campaign
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
GROUP BY region, site, campaign, window_start, window_end
ORDER BY window_start DESC, region, site, campaign
