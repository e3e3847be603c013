DROP SCHEMA IF EXISTS replace_false_crash_db CASCADE;
CREATE SCHEMA replace_false_crash_db;
CREATE TABLE replace_false_crash_db.int_pk (id INT PRIMARY KEY, k INT, c CHAR(100), pad VARCHAR(60));
CREATE INDEX ON replace_false_crash_db.int_pk (k);
CREATE TABLE replace_false_crash_db.string_pk (code TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT, t TEXT);
CREATE TABLE replace_false_crash_db.composite_pk (a INT NOT NULL, b VARCHAR(20) NOT NULL, v DOUBLE PRECISION, PRIMARY KEY (a, b));
CREATE TABLE replace_false_crash_db.no_key (a INT, b VARCHAR(40), c TIMESTAMP(6));
CREATE TABLE replace_false_crash_db.uk_only (id NUMERIC(20) NOT NULL UNIQUE, v NUMERIC(20, 6));
