DROP SCHEMA IF EXISTS replace_false_crash_db CASCADE;
CREATE SCHEMA replace_false_crash_db;
CREATE TABLE replace_false_crash_db.int_pk (id INT PRIMARY KEY, k INT, c CHAR(100), pad VARCHAR(60));
CREATE INDEX ON replace_false_crash_db.int_pk (k);
CREATE TABLE replace_false_crash_db.string_pk (code TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT, t TEXT);
CREATE TABLE replace_false_crash_db.composite_pk (a INT NOT NULL, b VARCHAR(20) NOT NULL, v DOUBLE PRECISION, PRIMARY KEY (a, b));
CREATE TABLE replace_false_crash_db.no_key (a INT, b VARCHAR(40), c TIMESTAMP(6));
CREATE TABLE replace_false_crash_db.uk_only (id NUMERIC(20) NOT NULL UNIQUE, v NUMERIC(20, 6));
-- A slow target: runs of consecutive keys take 2 ms per row to write, so every writer is
-- busy while more chunks wait in the buffer, and parallel writers commit out of order.
CREATE FUNCTION replace_false_crash_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_TABLE_NAME = 'int_pk' AND (NEW.id + 50000) % 10000 < 300)
     OR (TG_TABLE_NAME = 'uk_only' AND (NEW.id::numeric / 1000) % 3000 < 100) THEN
    PERFORM pg_sleep(0.002);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_int_pk BEFORE INSERT ON replace_false_crash_db.int_pk FOR EACH ROW EXECUTE FUNCTION replace_false_crash_db.slow_row();
CREATE TRIGGER slow_uk_only BEFORE INSERT ON replace_false_crash_db.uk_only FOR EACH ROW EXECUTE FUNCTION replace_false_crash_db.slow_row();
