-- Active users per minute, site and country, for the windows of the last 3 hours: one row per window
-- key. A dashboard query: it reads the last hours' partitions only (active_users_1m_history.sql reads
-- the whole season, for reports). The Firehose sink is at-least-once, so a window row can be delivered
-- twice (with the same final value); GROUP BY the window key collapses the copies. Runs on Athena
-- (Trino) and DuckDB. The macro last_hours(window_start) keeps the windows of the last 3 hours and
-- reads only the partitions that can hold them (docs/LAKE.md, "Dashboard queries and reports").
SELECT region, site, country, window_start, window_end, MAX(active_users) AS active_users
FROM active_users_1m
WHERE {{ last_hours(window_start) }}
GROUP BY region, site, country, window_start, window_end
ORDER BY window_start DESC, region, site, country
