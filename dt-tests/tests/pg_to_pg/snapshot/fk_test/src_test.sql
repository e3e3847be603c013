INSERT INTO fk_db.b_parent SELECT n, 'p' || n FROM generate_series(1, 300) n;
INSERT INTO fk_db.a_child SELECT n, n % 300 + 1, 'c' || n FROM generate_series(1, 2000) n;
-- Each row references a row with a higher key, which a copy in key order writes later.
INSERT INTO fk_db.b_tree SELECT n, NULL FROM generate_series(1, 500) n;
UPDATE fk_db.b_tree SET up = id + 1 WHERE id < 500;
INSERT INTO fk_db.c_audited SELECT n, 'a' || n FROM generate_series(1, 100) n;
