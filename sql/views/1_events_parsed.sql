-- Every record read, classified from its parsed fields (clickstream_raw.fields: one JSON parse per
-- record): reject_reason is NULL for a valid event, otherwise the first failed rule, in this order:
--   not_json                  the payload is not exactly one JSON object (text after the object, such
--                             as a second object glued to the first, makes it not_json)
--   missing_field:<name>      a required field is absent, null, not a scalar, or blank: empty or only
--                             whitespace (IS_BLANK: tabs, line breaks and CR-LF included)
--                             (event_id, event_type, user_id, session_id, site, country, event_time)
--   bad_timestamp             event_time is neither ISO-8601 with a zone nor epoch milliseconds
--   absurd_timestamp          event_time is before 2000-01-01 or more than 1 day after processing time
-- rowtime is the epoch exactly when event_time is unparsable or implausible, so the two timestamp
-- rules are tested on rowtime first and event_time is parsed again only for those (rejected) records.
-- event_ts (event_time as UTC, NULL when unparsable, no plausibility bounds) costs a parse of
-- event_time, and only in an output that reads it.
-- Valid + rejected = read: every record is in exactly one of the two. The fields of valid events are
-- extracted in events_unique.sql.
CREATE VIEW events_parsed AS
SELECT
  payload,
  fields,
  proc_time,
  rowtime,
  PARSE_EVENT_TIME(fields['event_time']) AS event_ts,
  fields['event_id'] AS event_id,
  CASE
    WHEN fields IS NULL THEN 'not_json'
    WHEN IS_BLANK(fields['event_id']) THEN 'missing_field:event_id'
    WHEN IS_BLANK(fields['event_type']) THEN 'missing_field:event_type'
    WHEN IS_BLANK(fields['user_id']) THEN 'missing_field:user_id'
    WHEN IS_BLANK(fields['session_id']) THEN 'missing_field:session_id'
    WHEN IS_BLANK(fields['site']) THEN 'missing_field:site'
    WHEN IS_BLANK(fields['country']) THEN 'missing_field:country'
    WHEN IS_BLANK(fields['event_time']) THEN 'missing_field:event_time'
    WHEN rowtime = TIMESTAMP '1970-01-01 00:00:00.000' THEN
      CASE WHEN PARSE_EVENT_TIME(fields['event_time']) IS NULL THEN 'bad_timestamp' ELSE 'absurd_timestamp' END
  END AS reject_reason
FROM clickstream_raw;
