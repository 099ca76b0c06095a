-- For reports: the whole season, every partition is read (the dashboard query active_users_5m_latest.sql
-- reads the last 3 hours only).
-- Active users over the last 5 minutes (sliding, every minute): one row per window key.
SELECT region, site, country, window_start, window_end, MAX(active_users) AS active_users
FROM active_users_5m
GROUP BY region, site, country, window_start, window_end
ORDER BY window_end DESC, region, site, country
