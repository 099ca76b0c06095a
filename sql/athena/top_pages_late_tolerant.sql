-- Clicks per page over the windows of the last 3 hours, the stagger equivalent: the clicks counted in
-- page_clicks_late's windows (one row per window key) plus the stragglers that arrived after their
-- window had closed, which the runner recorded in late_events instead (as KA's stagger window added a
-- row for a straggler). Top pages per region and site; late_clicks says how many of the clicks were
-- stragglers. A dashboard query (top_pages_late_tolerant_history.sql covers the whole season).
SELECT region, site, page_url, SUM(clicks) AS clicks, SUM(late_clicks) AS late_clicks
FROM (
  SELECT region, site, page_url, MAX(clicks) AS clicks, 0 AS late_clicks
  FROM page_clicks_late
  WHERE {{ last_hours(window_start) }}
  GROUP BY region, site, page_url, window_start
  UNION ALL
  SELECT region, site, page_url, COUNT(DISTINCT event_id) AS clicks, COUNT(DISTINCT event_id) AS late_clicks
  FROM late_events
  WHERE event_type = 'click' AND page_url IS NOT NULL
    AND strpos(',' || closed_outputs || ',', ',page_clicks_late,') > 0
    AND {{ last_hours(event_time) }}
  GROUP BY region, site, page_url
) AS counted
GROUP BY region, site, page_url
ORDER BY clicks DESC, region, site, page_url
LIMIT 100
