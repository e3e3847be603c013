-- About 40 MB and 20 MB in rows of about 200 bytes: far more than the task's buffer and
-- the socket buffers hold, so the source has to wait while the target is locked.
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO slow_target_db.no_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200000)
  SELECT n % 1000, CONCAT(n, '-', REPEAT('x', 190)) FROM s;
INSERT INTO slow_target_db.composite_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 100000)
  SELECT n % 100, n, CONCAT(n, '-', REPEAT('y', 190)) FROM s;
