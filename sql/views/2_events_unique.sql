-- Valid events, each event_id once: Kinesis producers retry, so the same event can be read twice.
-- The first delivery wins (ROW_NUMBER over processing time, which Flink runs as an append-only
-- keep-first de-duplication). Its state holds one entry per event_id and is bounded by the runner's
-- state TTL (table.exec.state.ttl, 1 hour by default): a duplicate arriving more than 1 hour after
-- the first delivery is counted again. rowtime stays the event-time attribute for the windows.
--
-- Performance: the fields are extracted from the parsed map BEFORE the de-duplication, so that only
-- these columns cross the network to it, not the whole map with every key, and nothing after it looks
-- keys up. The runner turns this whole view into one stream (its lateness split, docs/SQL.md), so Flink
-- still plans ONE de-duplication shared by all outputs (one state), whatever columns each output reads.
-- Nested fields are in the parsed map too, under their dotted path (fields['page.url']): no second parse.
CREATE VIEW events_unique AS
SELECT rowtime, event_id, event_type, user_id, session_id, site, country, page_url, page_type, page_category,
       device_type, context
FROM (
  SELECT
    rowtime,
    event_id,
    fields['event_type'] AS event_type,
    fields['user_id'] AS user_id,
    fields['session_id'] AS session_id,
    LOWER(fields['site']) AS site,
    UPPER(fields['country']) AS country,
    fields['page.url'] AS page_url,
    fields['page.type'] AS page_type,
    fields['page.category'] AS page_category,
    fields['device.type'] AS device_type,
    -- context is a stringified JSON document (a JSON string holding JSON); an object is accepted too.
    COALESCE(fields['context'], fields['$.context']) AS context,
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proc_time ASC) AS delivery
  FROM events_parsed
  WHERE reject_reason IS NULL
)
WHERE delivery = 1;
