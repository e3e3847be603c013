DROP SCHEMA IF EXISTS defer_db CASCADE;
CREATE SCHEMA defer_db;
CREATE TABLE defer_db.big (id INT PRIMARY KEY, k INT, t TEXT NOT NULL, v NUMERIC(12, 2));
CREATE TABLE defer_db."Small Table" (id INT PRIMARY KEY, k INT);
CREATE TABLE defer_db.zz (id INT PRIMARY KEY);
-- Plain secondary indexes, which dt builds after the rows: with a comment, on an
-- expression with a storage parameter, partial and descending, with a name that needs
-- quoting, and one whose build is slow (about 2 s), so that a kill can land in it.
CREATE INDEX big_k ON defer_db.big (k);
COMMENT ON INDEX defer_db.big_k IS 'by k, it''s quoted';
CREATE INDEX big_lower_t ON defer_db.big (lower(t)) WITH (fillfactor = 70);
CREATE INDEX big_partial ON defer_db.big (v DESC, k) WHERE k > 10;
CREATE INDEX "Big T" ON defer_db.big (t text_pattern_ops);
CREATE FUNCTION defer_db.slow_key(x INT) RETURNS INT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE y INT := x;
BEGIN
  FOR i IN 1..300 LOOP y := y + 0; END LOOP;
  RETURN y;
END $$;
CREATE INDEX big_slow ON defer_db.big (defer_db.slow_key(k));
-- Kept while the rows go in: a unique index, an index clustered on, and every index of a
-- table estimated below 100,000 rows.
CREATE UNIQUE INDEX big_t_key ON defer_db.big (t);
CREATE INDEX big_v ON defer_db.big (v);
CLUSTER defer_db.big USING big_v;
CREATE INDEX small_k ON defer_db."Small Table" (k);
