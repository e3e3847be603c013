DROP DATABASE IF EXISTS replace_false_crash_db;
CREATE DATABASE replace_false_crash_db CHARACTER SET utf8mb4;
CREATE TABLE replace_false_crash_db.int_pk (id INT PRIMARY KEY, k INT, c CHAR(100), pad VARCHAR(60), INDEX (k));
CREATE TABLE replace_false_crash_db.string_pk (code VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT, t TEXT);
CREATE TABLE replace_false_crash_db.composite_pk (a INT NOT NULL, b VARCHAR(20) NOT NULL, v DOUBLE, PRIMARY KEY (a, b));
CREATE TABLE replace_false_crash_db.no_key (a INT, b VARCHAR(40), c DATETIME(6));
CREATE TABLE replace_false_crash_db.uk_only (id BIGINT UNSIGNED NOT NULL, v DECIMAL(20,6), UNIQUE KEY (id));
-- A slow target: runs of consecutive keys take 2 ms per row to write, so every writer is
-- busy while more chunks wait in the buffer, and parallel writers commit out of order.
CREATE TRIGGER replace_false_crash_db.slow_int_pk BEFORE INSERT ON replace_false_crash_db.int_pk FOR EACH ROW
  BEGIN IF (NEW.id + 50000) MOD 10000 < 300 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER replace_false_crash_db.slow_uk_only BEFORE INSERT ON replace_false_crash_db.uk_only FOR EACH ROW
  BEGIN IF ((18446744073709551615 - NEW.id) DIV 1000) MOD 3000 < 100 THEN DO SLEEP(0.002); END IF; END;
