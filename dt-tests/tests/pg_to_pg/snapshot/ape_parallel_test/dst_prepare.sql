DROP SCHEMA IF EXISTS ape_parallel_db CASCADE;
CREATE SCHEMA ape_parallel_db;
CREATE TABLE ape_parallel_db.t1 (id INT PRIMARY KEY, k INT, s VARCHAR(60));
CREATE TABLE ape_parallel_db.t2 (id INT PRIMARY KEY, k INT, s VARCHAR(60));
CREATE TABLE ape_parallel_db.t3 (code VARCHAR(40) PRIMARY KEY, k INT, s VARCHAR(60));
CREATE TABLE ape_parallel_db.t4_no_key (id INT, k INT, s VARCHAR(60));
-- A slow target: one row in ten takes 2 ms to write, so that the three tables are seen
-- running at once whatever the machine's speed.
CREATE FUNCTION ape_parallel_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.k % 10 = 0 THEN
    PERFORM pg_sleep(0.002);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_t1 BEFORE INSERT ON ape_parallel_db.t1 FOR EACH ROW EXECUTE FUNCTION ape_parallel_db.slow_row();
CREATE TRIGGER slow_t2 BEFORE INSERT ON ape_parallel_db.t2 FOR EACH ROW EXECUTE FUNCTION ape_parallel_db.slow_row();
CREATE TRIGGER slow_t3 BEFORE INSERT ON ape_parallel_db.t3 FOR EACH ROW EXECUTE FUNCTION ape_parallel_db.slow_row();
