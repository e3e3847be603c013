INSERT INTO seq_db.serial_tb (v) SELECT 's' || n FROM generate_series(1, 120) n;
INSERT INTO seq_db.ident_tb (v) SELECT 'i' || n FROM generate_series(1, 45) n;
INSERT INTO seq_db.free_tb (v) SELECT 'f' || n FROM generate_series(1, 5) n;
SELECT nextval('seq_db.only_src_seq');
INSERT INTO seq_other_db.other_tb (v) SELECT 'o' || n FROM generate_series(1, 9) n;
