DROP SCHEMA IF EXISTS bad_input_db CASCADE;
CREATE SCHEMA bad_input_db;
CREATE TABLE bad_input_db.a_present (id INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE bad_input_db.b_missing_in_target (id INT PRIMARY KEY, v VARCHAR(10));
