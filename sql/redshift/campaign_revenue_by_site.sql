-- Purchases and cart value per minute, per site and campaign, in the site's currency, for campaign
-- dashboards during the season. ${schema} is the Spectrum external schema; one row per window key.
CREATE OR REPLACE VIEW public.clickstream_campaign_revenue_by_site AS
SELECT r.window_start,
       r.window_end,
       r.region,
       r.site,
       s.site_name,
       s.brand,
       s.currency,
       r.campaign,
       r.purchases,
       r.cart_value,
       r."year",
       r."month",
       r."day",
       r."hour"
FROM (
    SELECT window_start, window_end, region, site, campaign, purchases, cart_value, "year", "month", "day", "hour",
           ROW_NUMBER() OVER (PARTITION BY window_start, region, site, campaign ORDER BY purchases DESC, cart_value DESC) AS copy
    FROM ${schema}.cart_value_by_campaign
) r
LEFT JOIN public.sites s ON s.site = r.site
WHERE r.copy = 1
WITH NO SCHEMA BINDING;
