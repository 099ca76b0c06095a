-- Clicks per page (late-tolerant windows), one row per window key, then the top pages per region and
-- site over everything in the table.
SELECT region, site, page_url, SUM(clicks) AS clicks
FROM (
  SELECT region, site, page_url, window_start, MAX(clicks) AS clicks
  FROM page_clicks_late
  GROUP BY region, site, page_url, window_start
) AS per_window
GROUP BY region, site, page_url
ORDER BY clicks DESC, region, site, page_url
LIMIT 100
