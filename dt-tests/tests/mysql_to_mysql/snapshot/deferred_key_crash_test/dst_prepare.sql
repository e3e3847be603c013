DROP DATABASE IF EXISTS defer_db;
CREATE DATABASE defer_db CHARACTER SET utf8mb4;
-- Plain secondary keys, which dt adds after the rows: with a comment, on a prefix, with a
-- name that needs quoting, descending over two columns; a unique key stays. The table's own
-- comment, with a quote and a backslash, comes back with them.
CREATE TABLE defer_db.big (
  id INT PRIMARY KEY, k INT, t VARCHAR(40) NOT NULL, v DECIMAL(12, 2),
  KEY big_k (k) COMMENT 'by k, it''s quoted',
  UNIQUE KEY big_t_key (t),
  KEY `Big ``T``` (t(10)),
  KEY big_vk (v DESC, k)
) COMMENT = 'the big one: it''s \\ here';
CREATE TABLE defer_db.`Small Table` (id INT PRIMARY KEY, k INT, KEY small_k (k));
CREATE TABLE defer_db.zz (id INT PRIMARY KEY);
