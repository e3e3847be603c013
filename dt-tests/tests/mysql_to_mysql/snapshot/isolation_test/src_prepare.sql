DROP DATABASE IF EXISTS isolation_db;
CREATE DATABASE isolation_db CHARACTER SET utf8mb4;
CREATE TABLE isolation_db.t (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE isolation_db.no_key (a INT, v VARCHAR(20));
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO isolation_db.t WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500)
  SELECT n, CONCAT('v', n) FROM s;
INSERT INTO isolation_db.no_key SELECT id, v FROM isolation_db.t WHERE id <= 100;
