DROP SCHEMA IF EXISTS defer_db CASCADE;
CREATE SCHEMA defer_db;
CREATE TABLE defer_db.big (id INT PRIMARY KEY, k INT, t TEXT NOT NULL, v NUMERIC(12, 2));
CREATE TABLE defer_db."Small Table" (id INT PRIMARY KEY, k INT);
CREATE TABLE defer_db.zz (id INT PRIMARY KEY);
INSERT INTO defer_db.big SELECT g, (g * 7919) % 100003, 'row ' || g, (g % 1000) / 7.0 FROM generate_series(1, 120000) g;
INSERT INTO defer_db."Small Table" SELECT g, g % 97 FROM generate_series(1, 3000) g;
-- dt defers the indexes of tables it estimates at 100,000 rows or more.
ANALYZE defer_db.big;
ANALYZE defer_db."Small Table";
