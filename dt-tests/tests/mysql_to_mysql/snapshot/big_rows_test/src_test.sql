-- 60 MB in rows of about 1.5 MB: a multi-row statement of them exceeds a 4 MB packet.
INSERT INTO big_rows_db.blobs WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 40)
  SELECT n, REPEAT(UNHEX(LPAD(HEX(n), 2, '0')), 1500000), IF(n % 5 = 0, NULL, REPEAT('t', n * 1000)) FROM s;
INSERT INTO big_rows_db.blobs_no_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 12)
  SELECT n, REPEAT(UNHEX(LPAD(HEX(n), 2, '0')), 1500000) FROM s;
