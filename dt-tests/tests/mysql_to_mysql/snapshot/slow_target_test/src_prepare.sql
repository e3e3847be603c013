DROP DATABASE IF EXISTS slow_target_db;
CREATE DATABASE slow_target_db;
-- Both tables are read as one stream each: no single-column key to page by.
CREATE TABLE slow_target_db.no_key (a INT, b VARCHAR(200));
CREATE TABLE slow_target_db.composite_pk (a INT NOT NULL, b INT NOT NULL, c VARCHAR(200), PRIMARY KEY (a, b));
