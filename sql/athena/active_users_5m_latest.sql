-- Active users over 5 minutes (sliding, every minute), for the windows of the last 3 hours: one row per
-- window key. A dashboard query (active_users_5m_history.sql reads the whole season).
SELECT region, site, country, window_start, window_end, MAX(active_users) AS active_users
FROM active_users_5m
WHERE {{ last_hours(window_start) }}
GROUP BY region, site, country, window_start, window_end
ORDER BY window_end DESC, region, site, country
