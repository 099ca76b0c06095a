-- Clicks per minute, site, country and page type: one row per window key.
SELECT region, site, country, page_type, window_start, window_end, MAX(clicks) AS clicks
FROM clicks_1m
GROUP BY region, site, country, page_type, window_start, window_end
ORDER BY window_start DESC, region, site, country, page_type
