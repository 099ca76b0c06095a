-- Orders and revenue per currency and minute of order time.
CREATE TABLE revenue_1m (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  currency STRING,
  orders BIGINT,
  revenue DECIMAL(18, 2)
);

INSERT INTO revenue_1m
SELECT window_start, window_end, fields['currency'] AS currency, COUNT(*) AS orders,
       CAST(SUM(TRY_CAST(fields['amount'] AS DECIMAL(18, 2))) AS DECIMAL(18, 2)) AS revenue
FROM TABLE(TUMBLE(TABLE orders_raw, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
WHERE fields['currency'] IS NOT NULL
GROUP BY window_start, window_end, fields['currency'];
