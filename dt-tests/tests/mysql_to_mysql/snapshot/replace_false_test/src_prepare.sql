DROP DATABASE IF EXISTS replace_false_db;
CREATE DATABASE replace_false_db CHARACTER SET utf8mb4;
CREATE TABLE replace_false_db.a_free (id INT PRIMARY KEY, v VARCHAR(20) COLLATE utf8mb4_general_ci);
CREATE TABLE replace_false_db.b_taken (id INT PRIMARY KEY, v VARCHAR(20) COLLATE utf8mb4_general_ci);
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO replace_false_db.a_free WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 300)
  SELECT n, CONCAT('a', n) FROM s;
INSERT INTO replace_false_db.b_taken WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 300)
  SELECT n, CONCAT('b', n) FROM s;
