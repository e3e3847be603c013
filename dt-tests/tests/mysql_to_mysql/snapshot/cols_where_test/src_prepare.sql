DROP DATABASE IF EXISTS cols_where_db;
CREATE DATABASE cols_where_db CHARACTER SET utf8mb4;
CREATE TABLE cols_where_db.paged (id INT PRIMARY KEY, f_0 INT NOT NULL, f_1 VARCHAR(40), f_2 VARCHAR(40) DEFAULT 'dflt', f_3 INT DEFAULT 7);
CREATE TABLE cols_where_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, w VARCHAR(20) DEFAULT NULL, PRIMARY KEY (a, b));
CREATE TABLE cols_where_db.keyless (a INT, b VARCHAR(40), c INT DEFAULT 5);
CREATE TABLE cols_where_db.renamed (id INT PRIMARY KEY, v INT, secret VARCHAR(20) DEFAULT 'none');
CREATE TABLE cols_where_db.whole (id INT PRIMARY KEY, v INT);
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO cols_where_db.paged WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 40000)
  SELECT n, n % 10, CONCAT('r', n), CONCAT('secret-', n), n FROM s;
INSERT INTO cols_where_db.composite WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000)
  SELECT n % 100, CONCAT('k', n), n, CONCAT('w', n) FROM s;
INSERT INTO cols_where_db.keyless WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3000)
  SELECT IF(n % 11 = 0, NULL, n % 300), IF(n % 13 = 0, NULL, CONCAT('dup-', n % 700)), n FROM s;
INSERT INTO cols_where_db.renamed WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000)
  SELECT n, n * 7, CONCAT('s', n) FROM s;
INSERT INTO cols_where_db.whole WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500)
  SELECT n, n FROM s;
