SET SESSION max_recursive_iterations = 1000000;
-- b mixes letter case and accents, which the ci collation orders together: pages must follow it.
INSERT INTO keyshape_db.composite WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000)
  SELECT n % 60, CONCAT(ELT(n % 4 + 1, 'k', 'K', 'ä', 'A'), '-', n), MD5(n) FROM s;
-- One row in ten has a NULL key.
INSERT INTO keyshape_db.nullable_uk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT IF(n % 10 = 0, NULL, n * 2 - 15000), CONCAT('v-', n) FROM s;
-- NULL in either key column, and pairs that repeat once a column is NULL.
INSERT INTO keyshape_db.nullable_pair WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT IF(n % 13 = 0, NULL, n % 97), IF(n % 11 = 0, NULL, CONCAT('y', n % 300, '-', n)), n FROM s;
