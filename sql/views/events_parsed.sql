-- Every record read, parsed with JSON_VALUE, and classified: reject_reason is NULL for a valid event,
-- otherwise the first failed rule, in this order:
--   not_json                  the payload is not a JSON object
--   missing_field:<name>      a required field is absent, null, not a scalar, or blank
--                             (event_id, event_type, user_id, session_id, site, country, event_time)
--   bad_timestamp             event_time is neither ISO-8601 with a zone nor epoch milliseconds
--   absurd_timestamp          event_time is before 2000-01-01 or more than 1 day after processing time
-- Valid + rejected = read: every record is in exactly one of the two. The fields of valid events are
-- extracted in events_unique.sql.
CREATE VIEW events_parsed AS
SELECT
  payload,
  proc_time,
  rowtime,
  event_ts,
  JSON_VALUE(payload, '$.event_id') AS event_id,
  CASE
    WHEN NOT (payload IS JSON OBJECT) THEN 'not_json'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.event_id')), '') = '' THEN 'missing_field:event_id'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.event_type')), '') = '' THEN 'missing_field:event_type'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.user_id')), '') = '' THEN 'missing_field:user_id'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.session_id')), '') = '' THEN 'missing_field:session_id'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.site')), '') = '' THEN 'missing_field:site'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.country')), '') = '' THEN 'missing_field:country'
    WHEN COALESCE(TRIM(JSON_VALUE(payload, '$.event_time')), '') = '' THEN 'missing_field:event_time'
    WHEN event_ts IS NULL THEN 'bad_timestamp'
    WHEN rowtime = TIMESTAMP '1970-01-01 00:00:00.000' THEN 'absurd_timestamp'
  END AS reject_reason
FROM clickstream_raw;
