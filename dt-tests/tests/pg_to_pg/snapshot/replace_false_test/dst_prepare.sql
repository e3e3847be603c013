-- The target holds a row of its own in each table: in a_free under a key the source does
-- not have, in b_taken under key 250, with a value equal to the source's as a number but
-- written differently (250.0), so another value all the same.
DROP SCHEMA IF EXISTS replace_false_db CASCADE;
CREATE SCHEMA replace_false_db;
CREATE TABLE replace_false_db.a_free (id INT PRIMARY KEY, v NUMERIC);
CREATE TABLE replace_false_db.b_taken (id INT PRIMARY KEY, v NUMERIC);
INSERT INTO replace_false_db.a_free VALUES (1000, -1);
INSERT INTO replace_false_db.b_taken VALUES (250, 250.0);
