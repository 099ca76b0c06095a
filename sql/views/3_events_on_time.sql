-- Valid, unique events that are on time: every event-time window reads this view.
--
-- events_timed is registered by the runner right after events_unique (docs/SQL.md, "Lateness"): the
-- rows of events_unique plus the one lateness decision, made for each event when it is read:
--   closed_outputs  the outputs whose window for the event had already closed (NULL: on time)
--   watermark_time  the watermark at that moment (NULL before the first watermark)
--   proc_time       processing time
-- An event is either here, and then counted in every window it belongs to, or in late_events
-- (sql/outputs/late_events.sql), never both.
CREATE VIEW events_on_time AS
SELECT rowtime, event_id, event_type, user_id, session_id, site, country, page_url, page_type, page_category,
       device_type, context
FROM events_timed
WHERE closed_outputs IS NULL;
