DROP DATABASE IF EXISTS cols_where_db;
CREATE DATABASE cols_where_db CHARACTER SET utf8mb4;
CREATE TABLE cols_where_db.paged (id INT PRIMARY KEY, f_0 INT NOT NULL, f_1 VARCHAR(40), f_2 VARCHAR(40) DEFAULT 'dflt', f_3 INT DEFAULT 7);
CREATE TABLE cols_where_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, w VARCHAR(20) DEFAULT NULL, PRIMARY KEY (a, b));
CREATE TABLE cols_where_db.keyless (a INT, b VARCHAR(40), c INT DEFAULT 5);
CREATE TABLE cols_where_db.renamed_dst (id INT PRIMARY KEY, v INT, secret VARCHAR(20) DEFAULT 'none');
CREATE TABLE cols_where_db.whole (id INT PRIMARY KEY, v INT);
-- Rows of an earlier copy: a key-less table is emptied before it is refilled (resume on),
-- so neither may remain, whether or not the condition selects it.
INSERT INTO cols_where_db.keyless VALUES (1, 'stale', 1), (250, 'stale-selected', 1);
-- A slow target, so that a kill lands in the middle of `paged`.
CREATE TRIGGER cols_where_db.slow_paged BEFORE INSERT ON cols_where_db.paged FOR EACH ROW
  BEGIN IF NEW.id MOD 5000 < 150 THEN DO SLEEP(0.002); END IF; END;
