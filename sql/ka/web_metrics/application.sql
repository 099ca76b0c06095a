-- The project's active users and clicks per minute, written in Kinesis Data Analytics for SQL as the seed
-- team wrote them before the move to Managed Flink. Translated at preview (docs/KA-MIGRATION.md); on
-- records whose arrival time equals their event time, without duplicates or late events, they give the
-- numbers of sql/outputs/active_users_1m.sql and sql/outputs/clicks_1m.sql.

CREATE OR REPLACE STREAM "ACTIVE_USERS_1M" (
    "window_start" TIMESTAMP,
    "site"         VARCHAR(64),
    "country"      VARCHAR(2),
    "active_users" BIGINT);

CREATE OR REPLACE PUMP "ACTIVE_USERS_PUMP" AS INSERT INTO "ACTIVE_USERS_1M"
    SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
           LOWER("site"), UPPER("country"), COUNT(DISTINCT "user_id")
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY LOWER("site"), UPPER("country"),
             STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);

CREATE OR REPLACE STREAM "CLICKS_1M" (
    "window_start" TIMESTAMP,
    "site"         VARCHAR(64),
    "country"      VARCHAR(2),
    "page_type"    VARCHAR(32),
    "clicks"       BIGINT);

CREATE OR REPLACE PUMP "CLICKS_PUMP" AS INSERT INTO "CLICKS_1M"
    SELECT STREAM FLOOR(s.ROWTIME TO MINUTE),
           LOWER(s."site"), UPPER(s."country"), COALESCE(s."page_type", 'unknown'), COUNT(*)
    FROM "SOURCE_SQL_STREAM_001" AS s
    WHERE s."event_type" = 'click'
    GROUP BY LOWER(s."site"), UPPER(s."country"), COALESCE(s."page_type", 'unknown'),
             FLOOR(s.ROWTIME TO MINUTE);
