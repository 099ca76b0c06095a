-- Purchases and cart value per campaign and minute, for the windows of the last 3 hours: one row per
-- window key. A dashboard query (cart_value_by_campaign_history.sql reads the whole season).
SELECT region, site, campaign, window_start, window_end,
       MAX(purchases) AS purchases, MAX(cart_value) AS cart_value
FROM cart_value_by_campaign
WHERE {{ last_hours(window_start) }}
GROUP BY region, site, campaign, window_start, window_end
ORDER BY window_start DESC, region, site, campaign
