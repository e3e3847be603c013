DROP SCHEMA IF EXISTS stale_target_db CASCADE;
CREATE SCHEMA stale_target_db;
CREATE TABLE stale_target_db.int_pk (id INT PRIMARY KEY, v VARCHAR(40), n INT);
CREATE TABLE stale_target_db.composite_pk (a INT NOT NULL, b VARCHAR(20) NOT NULL, v DOUBLE PRECISION, PRIMARY KEY (a, b));
CREATE TABLE stale_target_db.uk_only (id BIGINT NOT NULL UNIQUE, v VARCHAR(40));
INSERT INTO stale_target_db.int_pk SELECT n, 'fresh-' || n, n * 2 FROM generate_series(1, 3000) n;
INSERT INTO stale_target_db.composite_pk SELECT n % 10, 'k' || n, n / 7.0 FROM generate_series(1, 1000) n;
INSERT INTO stale_target_db.uk_only SELECT n * 11, 'fresh-' || n FROM generate_series(1, 1000) n;
