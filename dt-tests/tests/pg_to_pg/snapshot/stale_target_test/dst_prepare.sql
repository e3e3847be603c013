-- The target already holds every third row of the source under the same key with other
-- values: the copy must overwrite each of them.
DROP SCHEMA IF EXISTS stale_target_db CASCADE;
CREATE SCHEMA stale_target_db;
CREATE TABLE stale_target_db.int_pk (id INT PRIMARY KEY, v VARCHAR(40), n INT);
CREATE TABLE stale_target_db.composite_pk (a INT NOT NULL, b VARCHAR(20) NOT NULL, v DOUBLE PRECISION, PRIMARY KEY (a, b));
CREATE TABLE stale_target_db.uk_only (id BIGINT NOT NULL UNIQUE, v VARCHAR(40));
INSERT INTO stale_target_db.int_pk SELECT n, 'stale-' || n, NULL FROM generate_series(3, 3000, 3) n;
INSERT INTO stale_target_db.composite_pk SELECT n % 10, 'k' || n, -1 FROM generate_series(3, 1000, 3) n;
INSERT INTO stale_target_db.uk_only SELECT n * 11, 'stale' FROM generate_series(3, 1000, 3) n;
