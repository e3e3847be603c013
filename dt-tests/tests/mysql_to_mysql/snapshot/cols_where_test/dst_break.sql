-- For --verify: a row the condition excludes makes `paged` differ; a changed ignored
-- column leaves `composite` the same.
INSERT INTO cols_where_db.paged (id, f_0, f_1) VALUES (-1, 5, 'excluded');
UPDATE cols_where_db.composite SET w = 'changed' ORDER BY a, b LIMIT 1;
