-- Copied one table at a time in name order: every child row arrives before its parent.
DROP DATABASE IF EXISTS fk_checks_db;
CREATE DATABASE fk_checks_db CHARACTER SET utf8mb4;
CREATE TABLE fk_checks_db.b_parent (id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE fk_checks_db.a_child (id INT PRIMARY KEY, parent_id INT NOT NULL, v VARCHAR(20),
  CONSTRAINT a_child_parent FOREIGN KEY (parent_id) REFERENCES fk_checks_db.b_parent (id));
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO fk_checks_db.b_parent WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 300)
  SELECT n, CONCAT('p', n) FROM s;
INSERT INTO fk_checks_db.a_child WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000)
  SELECT n, n MOD 300 + 1, CONCAT('c', n) FROM s;
