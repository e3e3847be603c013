DROP DATABASE IF EXISTS ape_parallel_db;
CREATE DATABASE ape_parallel_db CHARACTER SET utf8mb4;
CREATE TABLE ape_parallel_db.t1 (id INT PRIMARY KEY, k INT, s VARCHAR(60));
CREATE TABLE ape_parallel_db.t2 (id INT PRIMARY KEY, k INT, s VARCHAR(60));
CREATE TABLE ape_parallel_db.t3 (code VARCHAR(40) PRIMARY KEY, k INT, s VARCHAR(60));
CREATE TABLE ape_parallel_db.t4_no_key (id INT, k INT, s VARCHAR(60));
DROP DATABASE IF EXISTS ape_rate_bytes_db;
CREATE DATABASE ape_rate_bytes_db;
CREATE TABLE ape_rate_bytes_db.blobs (id INT PRIMARY KEY, b LONGBLOB);
-- A slow target: one row in ten takes 2 ms to write, so that the three tables are seen
-- running at once whatever the machine's speed.
CREATE TRIGGER ape_parallel_db.slow_t1 BEFORE INSERT ON ape_parallel_db.t1 FOR EACH ROW
  BEGIN IF NEW.k MOD 10 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER ape_parallel_db.slow_t2 BEFORE INSERT ON ape_parallel_db.t2 FOR EACH ROW
  BEGIN IF NEW.k MOD 10 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER ape_parallel_db.slow_t3 BEFORE INSERT ON ape_parallel_db.t3 FOR EACH ROW
  BEGIN IF NEW.k MOD 10 = 0 THEN DO SLEEP(0.002); END IF; END;
