-- Active users per minute, per site and country, with the site's business attributes for BI.
-- ${schema} is the Spectrum external schema (config clickstream:spectrumSchema).
-- One row per window key: Firehose delivery is at-least-once, so a window can appear more than once
-- with the same final value (docs/CONTRACTS.md, "Delivery guarantee"); ROW_NUMBER keeps one.
-- Filter on "year", "month", "day", "hour" to prune partitions.
CREATE OR REPLACE VIEW public.clickstream_active_users_by_site AS
SELECT a.window_start,
       a.window_end,
       a.region,
       a.site,
       s.site_name,
       s.brand,
       s.market,
       a.country,
       a.active_users,
       a."year",
       a."month",
       a."day",
       a."hour"
FROM (
    SELECT window_start, window_end, region, site, country, active_users, "year", "month", "day", "hour",
           ROW_NUMBER() OVER (PARTITION BY window_start, region, site, country ORDER BY active_users DESC) AS copy
    FROM ${schema}.active_users_1m
) a
LEFT JOIN public.sites s ON s.site = a.site
WHERE a.copy = 1
WITH NO SCHEMA BINDING;
