DROP DATABASE IF EXISTS keyless_atomic_db;
CREATE DATABASE keyless_atomic_db CHARACTER SET utf8mb4;
CREATE TABLE keyless_atomic_db.no_key (a INT, b VARCHAR(40));
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO keyless_atomic_db.no_key WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT n % 700, CONCAT('dup-', n % 3000) FROM s;
