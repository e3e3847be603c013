DROP SCHEMA IF EXISTS part_db CASCADE;
CREATE SCHEMA part_db;
CREATE TABLE part_db.events (day DATE NOT NULL, n INT, note TEXT) PARTITION BY RANGE (day);
CREATE TABLE part_db.events_2023 PARTITION OF part_db.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE part_db.events_2024 PARTITION OF part_db.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE part_db.events_other PARTITION OF part_db.events DEFAULT;
-- A slow target, so that a run can be killed while the copy is under way.
CREATE FUNCTION part_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.n % 20 = 0 THEN
    PERFORM pg_sleep(0.001);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_events BEFORE INSERT ON part_db.events FOR EACH ROW EXECUTE FUNCTION part_db.slow_row();
