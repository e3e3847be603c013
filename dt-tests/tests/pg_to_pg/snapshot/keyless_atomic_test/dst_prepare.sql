DROP SCHEMA IF EXISTS keyless_atomic_db CASCADE;
CREATE SCHEMA keyless_atomic_db;
CREATE TABLE keyless_atomic_db.no_key (a INT, b VARCHAR(40));
-- A slow target: one row in a hundred takes 8 ms to write, so the copy lasts over a second.
CREATE FUNCTION keyless_atomic_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.a % 100 = 0 THEN PERFORM pg_sleep(0.008); END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_no_key BEFORE INSERT ON keyless_atomic_db.no_key FOR EACH ROW EXECUTE FUNCTION keyless_atomic_db.slow_row();
