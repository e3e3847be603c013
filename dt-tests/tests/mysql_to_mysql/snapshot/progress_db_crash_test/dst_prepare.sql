DROP DATABASE IF EXISTS apecloud_metadata;
DROP DATABASE IF EXISTS progdb;
DROP DATABASE IF EXISTS dt_count;
-- Every row inserted into a target table, counted in the transaction that inserts it: a row
-- copied again after a kill counts twice.
CREATE DATABASE dt_count;
CREATE TABLE dt_count.ins (tb VARCHAR(64) NOT NULL);
CREATE DATABASE progdb CHARACTER SET utf8mb4;
CREATE TABLE progdb.composite (a INT NOT NULL, b VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE progdb.composite_int (a INT NOT NULL, b INT NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE progdb.nullable_uk (u INT NULL, v VARCHAR(40), UNIQUE KEY (u));
CREATE TABLE progdb.nullable_pair (p INT NULL, q VARCHAR(20) NULL, v INT, UNIQUE KEY (p, q));
CREATE TABLE progdb.text_key (k VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT);
CREATE TABLE progdb.no_key (a INT, b VARCHAR(40));
-- A slow target: some rows take 2 ms to write, so that kills land in the middle of tables.
CREATE TRIGGER progdb.count_no_key BEFORE INSERT ON progdb.no_key FOR EACH ROW
  INSERT INTO dt_count.ins VALUES ('no_key');
CREATE TRIGGER progdb.slow_composite BEFORE INSERT ON progdb.composite FOR EACH ROW
  BEGIN INSERT INTO dt_count.ins VALUES ('composite'); IF NEW.a MOD 7 = 0 AND CRC32(NEW.b) MOD 8 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER progdb.slow_composite_int BEFORE INSERT ON progdb.composite_int FOR EACH ROW
  BEGIN INSERT INTO dt_count.ins VALUES ('composite_int'); IF NEW.a MOD 40 = 0 AND NEW.b = 0 THEN DO SLEEP(0.01); END IF; END;
CREATE TRIGGER progdb.slow_nullable_uk BEFORE INSERT ON progdb.nullable_uk FOR EACH ROW
  BEGIN INSERT INTO dt_count.ins VALUES ('nullable_uk'); IF NEW.u MOD 40 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER progdb.slow_nullable_pair BEFORE INSERT ON progdb.nullable_pair FOR EACH ROW
  BEGIN INSERT INTO dt_count.ins VALUES ('nullable_pair'); IF NEW.v MOD 40 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER progdb.slow_text_key BEFORE INSERT ON progdb.text_key FOR EACH ROW
  BEGIN INSERT INTO dt_count.ins VALUES ('text_key'); IF NEW.v MOD 40 = 0 THEN DO SLEEP(0.002); END IF; END;
