DROP SCHEMA IF EXISTS orderkey_crash_db CASCADE;
CREATE SCHEMA orderkey_crash_db;
CREATE TABLE orderkey_crash_db.single_pk (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE orderkey_crash_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE orderkey_crash_db.keyless (v INT, w VARCHAR(20));
