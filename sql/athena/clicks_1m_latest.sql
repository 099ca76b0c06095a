-- Clicks per minute, site, country and page type, for the windows of the last 3 hours: one row per
-- window key. A dashboard query (clicks_1m_history.sql reads the whole season).
SELECT region, site, country, page_type, window_start, window_end, MAX(clicks) AS clicks
FROM clicks_1m
WHERE {{ last_hours(window_start) }}
GROUP BY region, site, country, page_type, window_start, window_end
ORDER BY window_start DESC, region, site, country, page_type
