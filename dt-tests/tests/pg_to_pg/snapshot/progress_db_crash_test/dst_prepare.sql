DROP SCHEMA IF EXISTS apecloud_metadata CASCADE;
DROP SCHEMA IF EXISTS progdb CASCADE;
DROP SCHEMA IF EXISTS dt_count CASCADE;
-- Every row inserted into a target table, counted in the transaction that inserts it: a row
-- copied again after a kill counts twice.
CREATE SCHEMA dt_count;
CREATE TABLE dt_count.ins (tb TEXT NOT NULL);
CREATE SCHEMA progdb;
CREATE TABLE progdb.composite (a INT NOT NULL, b TEXT COLLATE "en-x-icu" NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE progdb.composite_int (a INT NOT NULL, b INT NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE progdb.nullable_uk (u INT UNIQUE, v TEXT);
CREATE TABLE progdb.nullable_pair (p INT, q VARCHAR(20), v INT, UNIQUE (p, q));
CREATE TABLE progdb.text_key (k TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT);
CREATE TABLE progdb.no_key (a INT, b TEXT);
-- A slow target: some rows take 2 ms to write, so that kills land in the middle of tables.
CREATE FUNCTION progdb.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(NEW);
BEGIN
  INSERT INTO dt_count.ins VALUES (TG_TABLE_NAME);
  IF (TG_TABLE_NAME = 'composite' AND (r->>'a')::int % 7 = 0 AND length(r->>'b') % 2 = 0)
     OR (TG_TABLE_NAME = 'composite_int' AND (r->>'a')::int % 40 = 0 AND (r->>'b')::int = 0)
     OR (TG_TABLE_NAME = 'nullable_uk' AND (r->>'u')::int % 40 = 0)
     OR (TG_TABLE_NAME IN ('nullable_pair', 'text_key') AND (r->>'v')::int % 40 = 0)
     OR (TG_TABLE_NAME = 'no_key' AND (r->>'a')::int % 20 = 0) THEN
    PERFORM pg_sleep(0.002);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_composite BEFORE INSERT ON progdb.composite FOR EACH ROW EXECUTE FUNCTION progdb.slow_row();
CREATE TRIGGER slow_composite_int BEFORE INSERT ON progdb.composite_int FOR EACH ROW EXECUTE FUNCTION progdb.slow_row();
CREATE TRIGGER slow_nullable_uk BEFORE INSERT ON progdb.nullable_uk FOR EACH ROW EXECUTE FUNCTION progdb.slow_row();
CREATE TRIGGER slow_nullable_pair BEFORE INSERT ON progdb.nullable_pair FOR EACH ROW EXECUTE FUNCTION progdb.slow_row();
CREATE TRIGGER slow_text_key BEFORE INSERT ON progdb.text_key FOR EACH ROW EXECUTE FUNCTION progdb.slow_row();
CREATE TRIGGER count_no_key BEFORE INSERT ON progdb.no_key FOR EACH ROW EXECUTE FUNCTION progdb.slow_row();
