-- The equivalent of a KA stagger window: clicks per page, keyed by (site, page_url), in 1-minute
-- event-time windows that accept late and out-of-order events up to the watermark delay (1 minute,
-- sql/sources/clickstream_raw.sql). Each window is emitted once, when the watermark passes its end,
-- so the result is append-only (the Firehose sink takes inserts only). See docs/SQL.md, "Stagger".
CREATE TABLE page_clicks_late (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  region STRING,
  site STRING,
  page_url STRING,
  clicks BIGINT,
  first_click_at TIMESTAMP(3),
  last_click_at TIMESTAMP(3)
);

INSERT INTO page_clicks_late
SELECT window_start, window_end, SOURCE_REGION() AS region, site, page_url,
       COUNT(*) AS clicks,
       CAST(MIN(rowtime) AS TIMESTAMP(3)) AS first_click_at,
       CAST(MAX(rowtime) AS TIMESTAMP(3)) AS last_click_at
FROM TABLE(TUMBLE(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
WHERE event_type = 'click' AND page_url IS NOT NULL
GROUP BY window_start, window_end, site, page_url;
