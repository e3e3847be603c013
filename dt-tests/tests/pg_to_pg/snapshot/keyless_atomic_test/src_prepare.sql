DROP SCHEMA IF EXISTS keyless_atomic_db CASCADE;
CREATE SCHEMA keyless_atomic_db;
CREATE TABLE keyless_atomic_db.no_key (a INT, b VARCHAR(40));
INSERT INTO keyless_atomic_db.no_key SELECT n % 700, 'dup-' || (n % 3000) FROM generate_series(1, 20000) n;
