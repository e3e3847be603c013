-- The target already holds every third row of the source under the same key with other
-- values: the copy must overwrite each of them.
DROP DATABASE IF EXISTS stale_target_db;
CREATE DATABASE stale_target_db CHARACTER SET utf8mb4;
CREATE TABLE stale_target_db.int_pk (id INT PRIMARY KEY, v VARCHAR(40), n INT);
CREATE TABLE stale_target_db.composite_pk (a INT NOT NULL, b VARCHAR(20) NOT NULL, v DOUBLE, PRIMARY KEY (a, b));
CREATE TABLE stale_target_db.uk_only (id BIGINT NOT NULL, v VARCHAR(40), UNIQUE KEY (id));
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO stale_target_db.int_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3000)
  SELECT n, CONCAT('stale-', n), NULL FROM s WHERE n % 3 = 0;
INSERT INTO stale_target_db.composite_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000)
  SELECT n % 10, CONCAT('k', n), -1 FROM s WHERE n % 3 = 0;
INSERT INTO stale_target_db.uk_only WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000)
  SELECT n * 11, 'stale' FROM s WHERE n % 3 = 0;
