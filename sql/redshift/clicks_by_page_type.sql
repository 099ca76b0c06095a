-- Clicks per minute, per site, country and page type, with the site's business attributes.
-- ${schema} is the Spectrum external schema; one row per window key (at-least-once delivery).
CREATE OR REPLACE VIEW public.clickstream_clicks_by_page_type AS
SELECT c.window_start,
       c.window_end,
       c.region,
       c.site,
       s.site_name,
       s.brand,
       s.market,
       c.country,
       c.page_type,
       c.clicks,
       c."year",
       c."month",
       c."day",
       c."hour"
FROM (
    SELECT window_start, window_end, region, site, country, page_type, clicks, "year", "month", "day", "hour",
           ROW_NUMBER() OVER (PARTITION BY window_start, region, site, country, page_type ORDER BY clicks DESC) AS copy
    FROM ${schema}.clicks_1m
) c
LEFT JOIN public.sites s ON s.site = c.site
WHERE c.copy = 1
WITH NO SCHEMA BINDING;
