-- Active users, sliding: distinct user_id over the last 5 minutes, emitted every minute
-- (HOP: 5-minute windows that start every minute), per site and country.
CREATE TABLE active_users_5m (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  region STRING,
  site STRING,
  country STRING,
  active_users BIGINT
);

INSERT INTO active_users_5m
SELECT window_start, window_end, SOURCE_REGION() AS region, site, country,
       COUNT_DISTINCT(user_id) AS active_users
FROM TABLE(HOP(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY window_start, window_end, site, country;
