DROP SCHEMA IF EXISTS cols_where_db CASCADE;
CREATE SCHEMA cols_where_db;
CREATE TABLE cols_where_db.paged (id INT PRIMARY KEY, f_0 INT NOT NULL, f_1 TEXT, f_2 TEXT DEFAULT 'dflt', f_3 INT DEFAULT 7);
CREATE TABLE cols_where_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, w TEXT DEFAULT NULL, PRIMARY KEY (a, b));
CREATE TABLE cols_where_db.keyless (a INT, b VARCHAR(40), c INT DEFAULT 5);
CREATE TABLE cols_where_db.renamed_dst (id INT PRIMARY KEY, v INT, secret TEXT DEFAULT 'none');
CREATE TABLE cols_where_db.whole (id INT PRIMARY KEY, v INT);
-- Rows of an earlier copy: a key-less table is emptied before it is refilled (resume on),
-- so neither may remain, whether or not the condition selects it.
INSERT INTO cols_where_db.keyless VALUES (1, 'stale', 1), (250, 'stale-selected', 1);
-- A slow target, so that a kill lands in the middle of `paged`.
CREATE FUNCTION cols_where_db.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id % 5000 < 150 THEN
    PERFORM pg_sleep(0.002);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_paged BEFORE INSERT ON cols_where_db.paged FOR EACH ROW EXECUTE FUNCTION cols_where_db.slow_row();
