-- Enough objects that a kill lands inside each phase: 120 small tables before the rows (named
-- to come before `big`, so that a pre-data phase killed early leaves it to the next run),
-- six indexes over 300,000 rows after them.
DROP SCHEMA IF EXISTS crashdb CASCADE;
CREATE SCHEMA crashdb;
CREATE TABLE crashdb.big (id bigint PRIMARY KEY, a int, b text, c int, d timestamptz);
INSERT INTO crashdb.big SELECT n, n % 1000, md5(n::text), n % 77, TIMESTAMPTZ '2024-01-01' + n * INTERVAL '1 minute'
  FROM generate_series(1, 300000) n;
CREATE INDEX big_a ON crashdb.big (a);
CREATE INDEX big_b ON crashdb.big (b);
CREATE INDEX big_c ON crashdb.big (c);
CREATE INDEX big_d ON crashdb.big (d);
CREATE INDEX big_a_c ON crashdb.big (a, c);
CREATE INDEX big_lower_b ON crashdb.big (lower(b));
DO $$
BEGIN
  FOR i IN 1..120 LOOP
    EXECUTE format('CREATE TABLE crashdb.%I (id int PRIMARY KEY, v text UNIQUE, w int)', 'a_' || i);
    EXECUTE format('INSERT INTO crashdb.%I SELECT n, ''v'' || n, n FROM generate_series(1, 3) n', 'a_' || i);
  END LOOP;
END $$;
ANALYZE crashdb.big;
