INSERT INTO ape_parallel_db.t1 SELECT n, n % 97, 't1-' || n || '-' || repeat('x', n % 30) FROM generate_series(1, 2000) n;
INSERT INTO ape_parallel_db.t2 SELECT n * 7 - 20000, 2000 - n, CASE WHEN n % 9 = 0 THEN NULL ELSE md5(n::text) END FROM generate_series(1, 2000) n;
INSERT INTO ape_parallel_db.t3 SELECT (ARRAY['a', 'B', 'c'])[n % 3 + 1] || '-' || md5(n::text), n, repeat('y', n % 50) FROM generate_series(1, 2000) n;
INSERT INTO ape_parallel_db.t4_no_key SELECT n % 700, n, 'dup-' || (n % 1000) FROM generate_series(1, 2000) n;
