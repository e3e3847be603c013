DROP SCHEMA IF EXISTS slow_target_db CASCADE;
CREATE SCHEMA slow_target_db;
-- Both tables are read as one COPY each: no single-column key to page by.
CREATE TABLE slow_target_db.no_key (a INT, b VARCHAR(200));
CREATE TABLE slow_target_db.composite_pk (a INT NOT NULL, b INT NOT NULL, c VARCHAR(200), PRIMARY KEY (a, b));
