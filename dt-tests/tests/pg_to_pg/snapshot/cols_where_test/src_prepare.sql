DROP SCHEMA IF EXISTS cols_where_db CASCADE;
CREATE SCHEMA cols_where_db;
CREATE TABLE cols_where_db.paged (id INT PRIMARY KEY, f_0 INT NOT NULL, f_1 TEXT, f_2 TEXT DEFAULT 'dflt', f_3 INT DEFAULT 7);
CREATE TABLE cols_where_db.composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, w TEXT DEFAULT NULL, PRIMARY KEY (a, b));
CREATE TABLE cols_where_db.keyless (a INT, b VARCHAR(40), c INT DEFAULT 5);
CREATE TABLE cols_where_db.renamed (id INT PRIMARY KEY, v INT, secret TEXT DEFAULT 'none');
CREATE TABLE cols_where_db.whole (id INT PRIMARY KEY, v INT);
INSERT INTO cols_where_db.paged SELECT n, n % 10, 'r' || n, 'secret-' || n, n FROM generate_series(1, 40000) n;
INSERT INTO cols_where_db.composite SELECT n % 100, 'k' || n, n, 'w' || n FROM generate_series(1, 10000) n;
INSERT INTO cols_where_db.keyless
  SELECT CASE WHEN n % 11 = 0 THEN NULL ELSE n % 300 END,
         CASE WHEN n % 13 = 0 THEN NULL ELSE 'dup-' || (n % 700) END, n
  FROM generate_series(1, 3000) n;
INSERT INTO cols_where_db.renamed SELECT n, n * 7, 's' || n FROM generate_series(1, 2000) n;
INSERT INTO cols_where_db.whole SELECT n, n FROM generate_series(1, 500) n;
