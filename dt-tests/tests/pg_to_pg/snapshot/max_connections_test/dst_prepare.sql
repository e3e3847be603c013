-- A slow target (1 ms per row): every writer stays busy, so an uncapped pool would open
-- all the connections the parallelism asks for.
DROP SCHEMA IF EXISTS max_connections_db CASCADE;
CREATE SCHEMA max_connections_db;
CREATE TABLE max_connections_db.t1 (id INT PRIMARY KEY, v TEXT);
CREATE TABLE max_connections_db.t2 (LIKE max_connections_db.t1 INCLUDING ALL);
CREATE TABLE max_connections_db.t3 (LIKE max_connections_db.t1 INCLUDING ALL);
CREATE TABLE max_connections_db.t4 (LIKE max_connections_db.t1 INCLUDING ALL);
CREATE FUNCTION max_connections_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$;
CREATE TRIGGER slow BEFORE INSERT ON max_connections_db.t1 FOR EACH ROW EXECUTE FUNCTION max_connections_db.slow_row();
CREATE TRIGGER slow BEFORE INSERT ON max_connections_db.t2 FOR EACH ROW EXECUTE FUNCTION max_connections_db.slow_row();
CREATE TRIGGER slow BEFORE INSERT ON max_connections_db.t3 FOR EACH ROW EXECUTE FUNCTION max_connections_db.slow_row();
CREATE TRIGGER slow BEFORE INSERT ON max_connections_db.t4 FOR EACH ROW EXECUTE FUNCTION max_connections_db.slow_row();
