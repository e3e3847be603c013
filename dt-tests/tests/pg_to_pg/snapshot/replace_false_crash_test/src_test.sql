INSERT INTO replace_false_crash_db.int_pk SELECT n * 3 - 50000, n % 1000, 'c-' || n || '-' || repeat('x', n % 50), CASE WHEN n % 7 = 0 THEN NULL ELSE md5(n::text) END
  FROM generate_series(1, 40000) n;
INSERT INTO replace_false_crash_db.string_pk SELECT (ARRAY['a', 'B', 'ä', 'Z'])[n % 4 + 1] || '-' || md5(n::text), n, repeat('t', n % 200)
  FROM generate_series(1, 20000) n;
INSERT INTO replace_false_crash_db.composite_pk SELECT n % 100, 'k' || n, n / 7.0 FROM generate_series(1, 20000) n;
INSERT INTO replace_false_crash_db.no_key SELECT n % 500, 'dup-' || (n % 2500), '2024-01-01'::timestamp + n * interval '1 microsecond' FROM generate_series(1, 10000) n;
INSERT INTO replace_false_crash_db.uk_only SELECT 99999999999999999999 - n * 1000, n / 3.0 FROM generate_series(1, 15000) n;
