DROP DATABASE IF EXISTS defer_db;
CREATE DATABASE defer_db CHARACTER SET utf8mb4;
USE defer_db;
CREATE TABLE defer_db.big (id INT PRIMARY KEY, k INT, t VARCHAR(40) NOT NULL, v DECIMAL(12, 2));
CREATE TABLE defer_db.`Small Table` (id INT PRIMARY KEY, k INT);
CREATE TABLE defer_db.zz (id INT PRIMARY KEY);
INSERT INTO defer_db.big SELECT seq, (seq * 7919) % 100003, CONCAT('row ', seq), (seq % 1000) / 7.0 FROM seq_1_to_120000;
INSERT INTO defer_db.`Small Table` SELECT seq, seq % 97 FROM seq_1_to_3000;
-- dt sets aside the keys of tables it estimates at 100,000 rows or more.
ANALYZE TABLE defer_db.big, defer_db.`Small Table`;
