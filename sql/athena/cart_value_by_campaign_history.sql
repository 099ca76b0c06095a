-- For reports: the whole season, every partition is read (the dashboard query cart_value_by_campaign_latest.sql
-- reads the last 3 hours only).
-- Purchases and cart value per campaign and minute: one row per window key.
SELECT region, site, campaign, window_start, window_end,
       MAX(purchases) AS purchases, MAX(cart_value) AS cart_value
FROM cart_value_by_campaign
GROUP BY region, site, campaign, window_start, window_end
ORDER BY window_start DESC, region, site, campaign
