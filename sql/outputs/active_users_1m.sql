-- Active users: distinct user_id per 1-minute tumbling event-time window, per site and country.
CREATE TABLE active_users_1m (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  region STRING,
  site STRING,
  country STRING,
  active_users BIGINT
);

INSERT INTO active_users_1m
SELECT window_start, window_end, SOURCE_REGION() AS region, site, country,
       COUNT_DISTINCT(user_id) AS active_users
FROM TABLE(TUMBLE(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, site, country;
