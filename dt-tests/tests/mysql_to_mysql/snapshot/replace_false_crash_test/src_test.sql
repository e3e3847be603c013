SET SESSION max_recursive_iterations = 1000000;
INSERT INTO replace_false_crash_db.int_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 40000)
  SELECT n * 3 - 50000, n % 1000, CONCAT('c-', n, '-', REPEAT('x', n % 50)), IF(n % 7 = 0, NULL, MD5(n)) FROM s;
INSERT INTO replace_false_crash_db.string_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT CONCAT(ELT(n % 4 + 1, 'a', 'B', 'ä', 'Z'), '-', MD5(n)), n, REPEAT('t', n % 200) FROM s;
INSERT INTO replace_false_crash_db.composite_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT n % 100, CONCAT('k', n), n / 7 FROM s;
INSERT INTO replace_false_crash_db.no_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000)
  SELECT n % 500, CONCAT('dup-', n % 2500), TIMESTAMPADD(MICROSECOND, n, '2024-01-01') FROM s;
INSERT INTO replace_false_crash_db.uk_only WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 15000)
  SELECT 18446744073709551615 - n * 1000, n / 3 FROM s;
