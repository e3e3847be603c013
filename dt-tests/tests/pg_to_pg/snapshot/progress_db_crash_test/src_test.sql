-- b mixes letter case and accents, which the ICU collation orders together: chunk bounds
-- and pages must follow it. Few values of a: the key is cut by walking its index.
INSERT INTO progdb.composite
  SELECT n % 60, (ARRAY['k', 'K', 'ä', 'A'])[n % 4 + 1] || '-' || n, md5(n::text) FROM generate_series(1, 20000) n;
-- Ten rows per value of a: the key is cut by even steps of a, bounds on a alone.
INSERT INTO progdb.composite_int SELECT n / 10, n % 10, md5(n::text) FROM generate_series(1, 20000) n;
-- One row in ten has a NULL key.
INSERT INTO progdb.nullable_uk
  SELECT CASE WHEN n % 10 = 0 THEN NULL ELSE n * 2 - 15000 END, 'v-' || n FROM generate_series(1, 15000) n;
-- NULL in either key column, and pairs that repeat once a column is NULL.
INSERT INTO progdb.nullable_pair
  SELECT CASE WHEN n % 13 = 0 THEN NULL ELSE n % 97 END,
         CASE WHEN n % 11 = 0 THEN NULL ELSE 'y' || (n % 300) || '-' || n END, n
  FROM generate_series(1, 15000) n;
INSERT INTO progdb.text_key
  SELECT (ARRAY['é', 'E', 'z'])[n % 3 + 1] || '-' || md5(n::text), n FROM generate_series(1, 15000) n;
-- No key: copied whole in one transaction; a kill there copies it again.
INSERT INTO progdb.no_key SELECT n % 700, 'dup-' || (n % 3000) FROM generate_series(1, 10000) n;
ANALYZE progdb.no_key, progdb.composite, progdb.composite_int, progdb.nullable_uk, progdb.nullable_pair, progdb.text_key;
