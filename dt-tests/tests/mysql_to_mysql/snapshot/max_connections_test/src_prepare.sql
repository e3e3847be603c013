DROP DATABASE IF EXISTS max_connections_db;
CREATE DATABASE max_connections_db CHARACTER SET utf8mb4;
CREATE TABLE max_connections_db.t1 (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE max_connections_db.t2 LIKE max_connections_db.t1;
CREATE TABLE max_connections_db.t3 LIKE max_connections_db.t1;
CREATE TABLE max_connections_db.t4 LIKE max_connections_db.t1;
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO max_connections_db.t1 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3000)
  SELECT n, CONCAT('v', n) FROM s;
INSERT INTO max_connections_db.t2 SELECT * FROM max_connections_db.t1;
INSERT INTO max_connections_db.t3 SELECT * FROM max_connections_db.t1;
INSERT INTO max_connections_db.t4 SELECT * FROM max_connections_db.t1;
