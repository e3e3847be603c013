DROP SCHEMA IF EXISTS orderkey_crash_db CASCADE;
CREATE SCHEMA orderkey_crash_db;
CREATE TABLE orderkey_crash_db.single_pk (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE orderkey_crash_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE orderkey_crash_db.keyless (v INT, w VARCHAR(20));
-- Left by the interrupted ape-dts run.
INSERT INTO orderkey_crash_db.single_pk SELECT n, 's-' || n FROM generate_series(1, 10000) n;
INSERT INTO orderkey_crash_db.composite SELECT n % 50, 'k' || n, 'c-' || n FROM generate_series(1, 30000) n WHERE n % 50 < 5;
INSERT INTO orderkey_crash_db.keyless SELECT n % 400, 'dup-' || (n % 3000) FROM generate_series(1, 20000) n WHERE n % 400 <= 100;
-- A slow target: one row in a hundred takes 2 ms to write, so that kills land mid-copy.
CREATE FUNCTION orderkey_crash_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF length(to_jsonb(NEW)::text) % 100 = 0 THEN
    PERFORM pg_sleep(0.002);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_single BEFORE INSERT ON orderkey_crash_db.single_pk FOR EACH ROW EXECUTE FUNCTION orderkey_crash_db.slow_row();
CREATE TRIGGER slow_composite BEFORE INSERT ON orderkey_crash_db.composite FOR EACH ROW EXECUTE FUNCTION orderkey_crash_db.slow_row();
