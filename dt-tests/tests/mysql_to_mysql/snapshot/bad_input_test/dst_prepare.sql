DROP DATABASE IF EXISTS bad_input_db;
CREATE DATABASE bad_input_db;
CREATE TABLE bad_input_db.a_present (id INT PRIMARY KEY, v VARCHAR(10));
