-- Enough objects that a kill lands inside each phase: 120 small tables before the rows (named
-- to come before `big`, so that a pre-data phase killed early leaves it to the next run),
-- six indexes over 300,000 rows after them.
DROP DATABASE IF EXISTS crashdb;
CREATE DATABASE crashdb;
USE crashdb;
CREATE TABLE big (id bigint PRIMARY KEY, a int, b varchar(32), c int, d datetime);
CREATE TABLE digits (d int PRIMARY KEY);
INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
INSERT INTO big
  SELECT n, n % 1000, md5(n), n % 77, '2024-01-01' + INTERVAL n MINUTE FROM (
    SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d AS n
    FROM digits a, digits b, digits c, digits e, digits f, digits g) s
  WHERE n <= 300000;
DROP TABLE digits;
ALTER TABLE big ADD KEY big_a (a), ADD KEY big_b (b), ADD KEY big_c (c), ADD KEY big_d (d),
  ADD KEY big_a_c (a, c), ADD KEY big_b_d (b, d);
CREATE PROCEDURE make_tables()
BEGIN
  DECLARE i int DEFAULT 1;
  WHILE i <= 120 DO
    SET @ddl = concat('CREATE TABLE a_', i, ' (id int PRIMARY KEY, v varchar(20) UNIQUE, w int, KEY w (w))');
    PREPARE s FROM @ddl; EXECUTE s; DEALLOCATE PREPARE s;
    SET @dml = concat('INSERT INTO a_', i, ' VALUES (1, ''v1'', 1), (2, ''v2'', 2), (3, ''v3'', 3)');
    PREPARE s FROM @dml; EXECUTE s; DEALLOCATE PREPARE s;
    SET i = i + 1;
  END WHILE;
END;
CALL make_tables();
DROP PROCEDURE make_tables;
