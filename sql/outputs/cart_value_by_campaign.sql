-- Purchases and cart value per campaign, per site, per 1-minute tumbling event-time window.
-- campaign and cart_value come from the stringified JSON field `context`: JSON_VALUE on the string
-- that JSON_VALUE extracted. A purchase without a campaign counts under '(none)'; a missing or
-- non-numeric cart_value counts as a purchase with no value.
CREATE TABLE cart_value_by_campaign (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  region STRING,
  site STRING,
  campaign STRING,
  purchases BIGINT,
  cart_value DECIMAL(18, 2)
);

INSERT INTO cart_value_by_campaign
SELECT window_start, window_end, SOURCE_REGION() AS region, site,
       COALESCE(JSON_VALUE(context, '$.campaign'), '(none)') AS campaign,
       COUNT(*) AS purchases,
       CAST(COALESCE(SUM(TRY_CAST(JSON_VALUE(context, '$.cart_value') AS DECIMAL(18, 2))), 0) AS DECIMAL(18, 2)) AS cart_value
FROM TABLE(TUMBLE(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
WHERE event_type = 'purchase'
GROUP BY window_start, window_end, site, COALESCE(JSON_VALUE(context, '$.campaign'), '(none)');
