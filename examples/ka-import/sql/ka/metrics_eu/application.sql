-- Active users and clicks per minute, per site and country.
-- ROWTIME is when the record reached the stream; STEP puts it into its 1-minute window.
CREATE OR REPLACE STREAM "ACTIVE_USERS_1M" (
    "window_start" TIMESTAMP,
    "site"         VARCHAR(32),
    "country"      VARCHAR(2),
    "active_users" BIGINT);

CREATE OR REPLACE PUMP "ACTIVE_USERS_1M_PUMP" AS
    INSERT INTO "ACTIVE_USERS_1M"
    SELECT STREAM
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND) AS "window_start",
        LOWER("site") AS "site",
        UPPER("country") AS "country",
        COUNT(DISTINCT "user_id") AS "active_users"
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
        LOWER("site"),
        UPPER("country");

CREATE OR REPLACE STREAM "CLICKS_1M" (
    "window_start" TIMESTAMP,
    "site"         VARCHAR(32),
    "country"      VARCHAR(2),
    "page_type"    VARCHAR(32),
    "clicks"       BIGINT);

CREATE OR REPLACE PUMP "CLICKS_1M_PUMP" AS
    INSERT INTO "CLICKS_1M"
    SELECT STREAM
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND) AS "window_start",
        LOWER("site") AS "site",
        UPPER("country") AS "country",
        COALESCE("page_type", 'unknown') AS "page_type",
        COUNT(*) AS "clicks"
    FROM "SOURCE_SQL_STREAM_001"
    WHERE "event_type" = 'click'
    GROUP BY
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
        LOWER("site"),
        UPPER("country"),
        COALESCE("page_type", 'unknown');
