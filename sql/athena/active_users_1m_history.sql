-- For reports: the whole season, every partition is read (the dashboard query active_users_1m_latest.sql
-- reads the last 3 hours only).
-- Active users per minute, site and country: one row per window key.
-- The Firehose sink is at-least-once, so a window row can be delivered twice (with the same final
-- value); GROUP BY the window key collapses the copies. Runs on Athena (Trino) and DuckDB.
SELECT region, site, country, window_start, window_end, MAX(active_users) AS active_users
FROM active_users_1m
GROUP BY region, site, country, window_start, window_end
ORDER BY window_start DESC, region, site, country
