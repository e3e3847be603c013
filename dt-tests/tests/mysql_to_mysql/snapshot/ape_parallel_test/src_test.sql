SET SESSION max_recursive_iterations = 1000000;
INSERT INTO ape_parallel_db.t1 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000)
  SELECT n, n % 97, CONCAT('t1-', n, '-', REPEAT('x', n % 30)) FROM s;
INSERT INTO ape_parallel_db.t2 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000)
  SELECT n * 7 - 20000, 5000 - n, IF(n % 9 = 0, NULL, MD5(n)) FROM s;
INSERT INTO ape_parallel_db.t3 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000)
  SELECT CONCAT(ELT(n % 3 + 1, 'a', 'B', 'c'), '-', MD5(n)), n, REPEAT('y', n % 50) FROM s;
INSERT INTO ape_parallel_db.t4_no_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000)
  SELECT n % 700, n, CONCAT('dup-', n % 1000) FROM s;
INSERT INTO ape_rate_bytes_db.blobs WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 400)
  SELECT n, REPEAT(CHAR(65 + n % 26), 10240) FROM s;
