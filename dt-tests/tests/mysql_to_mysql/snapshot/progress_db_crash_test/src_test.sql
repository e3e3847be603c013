SET SESSION max_recursive_iterations = 1000000;
-- b mixes letter case and accents, which the ci collation orders together: chunk bounds
-- and pages must follow it. Few values of a: the key is cut by walking its index.
INSERT INTO progdb.composite WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT n % 60, CONCAT(ELT(n % 4 + 1, 'k', 'K', 'ä', 'A'), '-', n), MD5(n) FROM s;
-- Ten rows per value of a: the key is cut by even steps of a, bounds on a alone.
INSERT INTO progdb.composite_int WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT n DIV 10, n MOD 10, MD5(n) FROM s;
-- One row in ten has a NULL key.
INSERT INTO progdb.nullable_uk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 15000)
  SELECT IF(n % 10 = 0, NULL, n * 2 - 15000), CONCAT('v-', n) FROM s;
-- NULL in either key column, and pairs that repeat once a column is NULL.
INSERT INTO progdb.nullable_pair WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 15000)
  SELECT IF(n % 13 = 0, NULL, n % 97), IF(n % 11 = 0, NULL, CONCAT('y', n % 300, '-', n)), n FROM s;
INSERT INTO progdb.text_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 15000)
  SELECT CONCAT(ELT(n % 3 + 1, 'é', 'E', 'z'), '-', MD5(n)), n FROM s;
-- No key: copied whole in one transaction; a kill there copies it again.
INSERT INTO progdb.no_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000)
  SELECT n % 700, CONCAT('dup-', n % 3000) FROM s;
