DROP DATABASE IF EXISTS orderkey_crash_db;
CREATE DATABASE orderkey_crash_db;
CREATE TABLE orderkey_crash_db.single_pk (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE orderkey_crash_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE orderkey_crash_db.keyless (v INT, w VARCHAR(20));
-- Left by the interrupted ape-dts run.
SET SESSION max_recursive_iterations = 1000000;
INSERT INTO orderkey_crash_db.single_pk WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000)
  SELECT n, CONCAT('s-', n) FROM s;
INSERT INTO orderkey_crash_db.composite WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000)
  SELECT n % 50, CONCAT('k', n), CONCAT('c-', n) FROM s WHERE n % 50 < 5;
INSERT INTO orderkey_crash_db.keyless WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000)
  SELECT n % 400, CONCAT('dup-', n % 3000) FROM s WHERE n % 400 <= 100;
-- A slow target: one row in a hundred takes 2 ms to write, so that kills land mid-copy.
CREATE TRIGGER orderkey_crash_db.slow_single BEFORE INSERT ON orderkey_crash_db.single_pk FOR EACH ROW
  BEGIN IF NEW.id MOD 100 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER orderkey_crash_db.slow_composite BEFORE INSERT ON orderkey_crash_db.composite FOR EACH ROW
  BEGIN IF CRC32(NEW.b) MOD 100 = 0 THEN DO SLEEP(0.002); END IF; END;
