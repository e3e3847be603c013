INSERT INTO orderkey_crash_db.single_pk SELECT n, ('s-' || n) FROM generate_series(1, 30000) n;
INSERT INTO orderkey_crash_db.composite SELECT n % 50, ('k' || n), ('c-' || n) FROM generate_series(1, 30000) n;
INSERT INTO orderkey_crash_db.keyless SELECT n % 400, ('dup-' || n % 3000) FROM generate_series(1, 20000) n;
