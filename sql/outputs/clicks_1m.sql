-- Clicks per 1-minute tumbling event-time window, per site, country and page type.
CREATE TABLE clicks_1m (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  region STRING,
  site STRING,
  country STRING,
  page_type STRING,
  clicks BIGINT
);

INSERT INTO clicks_1m
SELECT window_start, window_end, SOURCE_REGION() AS region, site, country,
       COALESCE(page_type, 'unknown') AS page_type, COUNT(*) AS clicks
FROM TABLE(TUMBLE(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
WHERE event_type = 'click'
GROUP BY window_start, window_end, site, country, COALESCE(page_type, 'unknown');
