-- The target holds a row of its own in each table: in a_free under a key the source does
-- not have, in b_taken under key 250, with a value that differs from the source's only in
-- case (equal under the column's collation, yet another value).
DROP DATABASE IF EXISTS replace_false_db;
CREATE DATABASE replace_false_db CHARACTER SET utf8mb4;
CREATE TABLE replace_false_db.a_free (id INT PRIMARY KEY, v VARCHAR(20) COLLATE utf8mb4_general_ci);
CREATE TABLE replace_false_db.b_taken (id INT PRIMARY KEY, v VARCHAR(20) COLLATE utf8mb4_general_ci);
INSERT INTO replace_false_db.a_free VALUES (1000, 'own');
INSERT INTO replace_false_db.b_taken VALUES (250, 'B250');
