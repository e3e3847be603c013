DROP SCHEMA IF EXISTS orderkey_crash_db CASCADE;
CREATE SCHEMA orderkey_crash_db;
CREATE TABLE orderkey_crash_db.single_pk (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE orderkey_crash_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE orderkey_crash_db.keyless (v INT, w VARCHAR(20));
-- Left by the interrupted ape-dts run.
INSERT INTO orderkey_crash_db.single_pk SELECT n, 's-' || n FROM generate_series(1, 10000) n;
INSERT INTO orderkey_crash_db.composite SELECT n % 50, 'k' || n, 'c-' || n FROM generate_series(1, 30000) n WHERE n % 50 < 5;
INSERT INTO orderkey_crash_db.keyless SELECT n % 400, 'dup-' || (n % 3000) FROM generate_series(1, 20000) n WHERE n % 400 <= 100;
