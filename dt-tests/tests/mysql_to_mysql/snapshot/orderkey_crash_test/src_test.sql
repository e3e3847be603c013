SET SESSION max_recursive_iterations = 1000000;
INSERT INTO orderkey_crash_db.single_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000)
  SELECT n, CONCAT('s-', n) FROM s;
INSERT INTO orderkey_crash_db.composite WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000)
  SELECT n % 50, CONCAT('k', n), CONCAT('c-', n) FROM s;
INSERT INTO orderkey_crash_db.keyless WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT n % 400, CONCAT('dup-', n % 3000) FROM s;
