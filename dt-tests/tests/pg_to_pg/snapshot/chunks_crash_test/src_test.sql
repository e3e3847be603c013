-- b mixes letter case and accents, which the ICU collation orders together: chunk bounds
-- and pages must follow it. Few values of a: the key is cut by walking its index.
INSERT INTO chunk_db.composite
  SELECT n % 60, (ARRAY['k', 'K', 'ä', 'A'])[n % 4 + 1] || '-' || n, md5(n::text) FROM generate_series(1, 20000) n;
-- Ten rows per value of a: the key is cut by even steps of a, bounds on a alone.
INSERT INTO chunk_db.composite_int SELECT n / 10, n % 10, md5(n::text) FROM generate_series(1, 20000) n;
-- One row in ten has a NULL key.
INSERT INTO chunk_db.nullable_uk
  SELECT CASE WHEN n % 10 = 0 THEN NULL ELSE n * 2 - 15000 END, 'v-' || n FROM generate_series(1, 15000) n;
-- NULL in either key column, and pairs that repeat once a column is NULL.
INSERT INTO chunk_db.nullable_pair
  SELECT CASE WHEN n % 13 = 0 THEN NULL ELSE n % 97 END,
         CASE WHEN n % 11 = 0 THEN NULL ELSE 'y' || (n % 300) || '-' || n END, n
  FROM generate_series(1, 15000) n;
INSERT INTO chunk_db.text_key
  SELECT (ARRAY['é', 'E', 'z'])[n % 3 + 1] || '-' || md5(n::text), n FROM generate_series(1, 15000) n;
ANALYZE chunk_db.composite, chunk_db.composite_int, chunk_db.nullable_uk, chunk_db.nullable_pair, chunk_db.text_key;
