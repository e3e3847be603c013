DROP SCHEMA IF EXISTS replace_false_db CASCADE;
CREATE SCHEMA replace_false_db;
CREATE TABLE replace_false_db.a_free (id INT PRIMARY KEY, v NUMERIC);
CREATE TABLE replace_false_db.b_taken (id INT PRIMARY KEY, v NUMERIC);
INSERT INTO replace_false_db.a_free SELECT n, n FROM generate_series(1, 300) n;
INSERT INTO replace_false_db.b_taken SELECT n, n FROM generate_series(1, 300) n;
