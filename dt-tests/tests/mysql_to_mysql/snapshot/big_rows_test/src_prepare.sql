DROP DATABASE IF EXISTS big_rows_db;
CREATE DATABASE big_rows_db;
CREATE TABLE big_rows_db.blobs (id INT PRIMARY KEY, b LONGBLOB, t LONGTEXT);
CREATE TABLE big_rows_db.blobs_no_key (id INT, b LONGBLOB);
