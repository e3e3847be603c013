DROP DATABASE IF EXISTS keyless_atomic_db;
CREATE DATABASE keyless_atomic_db CHARACTER SET utf8mb4;
CREATE TABLE keyless_atomic_db.no_key (a INT, b VARCHAR(40));
-- A slow target: one row in a hundred takes 8 ms to write, so the copy lasts over a second.
CREATE TRIGGER keyless_atomic_db.slow_no_key BEFORE INSERT ON keyless_atomic_db.no_key FOR EACH ROW
  BEGIN IF NEW.a MOD 100 = 0 THEN DO SLEEP(0.008); END IF; END;
