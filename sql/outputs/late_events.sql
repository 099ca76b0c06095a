-- Every valid, unique event that arrived after a window it belongs to had closed (docs/SQL.md,
-- "Lateness"): it is counted in no window, and recorded here instead, with its keys, its event time,
-- when it was read, the watermark then, and the outputs whose window had closed (comma-separated).
-- Each app that fills a windowed output writes its own late events (closed_outputs names its outputs).
-- The stagger equivalent counts them: sql/athena/top_pages_late_tolerant.sql adds them to
-- page_clicks_late, as KA's stagger window added a row for a straggler.
CREATE TABLE late_events (
  event_time TIMESTAMP(3),
  received_at TIMESTAMP(3),
  watermark_time TIMESTAMP(3),
  region STRING,
  closed_outputs STRING,
  event_id STRING,
  event_type STRING,
  user_id STRING,
  site STRING,
  country STRING,
  page_type STRING,
  page_url STRING
);

INSERT INTO late_events
SELECT CAST(rowtime AS TIMESTAMP(3)) AS event_time, CAST(proc_time AS TIMESTAMP(3)) AS received_at,
       watermark_time, SOURCE_REGION() AS region, closed_outputs, event_id, event_type, user_id, site, country,
       page_type, page_url
FROM events_timed
WHERE closed_outputs IS NOT NULL;
