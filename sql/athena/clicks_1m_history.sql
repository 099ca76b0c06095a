-- For reports: the whole season, every partition is read (the dashboard query clicks_1m_latest.sql
-- reads the last 3 hours only).
-- Clicks per minute, site, country and page type: one row per window key.
SELECT region, site, country, page_type, window_start, window_end, MAX(clicks) AS clicks
FROM clicks_1m
GROUP BY region, site, country, page_type, window_start, window_end
ORDER BY window_start DESC, region, site, country, page_type
