-- b mixes letter case and accents, which the ICU collation orders together: pages must follow it.
INSERT INTO keyshape_db.composite
  SELECT n % 60, (ARRAY['k', 'K', 'ä', 'A'])[n % 4 + 1] || '-' || n, md5(n::text) FROM generate_series(1, 30000) n;
-- One row in ten has a NULL key.
INSERT INTO keyshape_db.nullable_uk
  SELECT CASE WHEN n % 10 = 0 THEN NULL ELSE n * 2 - 15000 END, 'v-' || n FROM generate_series(1, 20000) n;
-- NULL in either key column, and pairs that repeat once a column is NULL.
INSERT INTO keyshape_db.nullable_pair
  SELECT CASE WHEN n % 13 = 0 THEN NULL ELSE n % 97 END,
         CASE WHEN n % 11 = 0 THEN NULL ELSE 'y' || (n % 300) || '-' || n END, n
  FROM generate_series(1, 20000) n;
