DROP SCHEMA IF EXISTS fk_db CASCADE;
CREATE SCHEMA fk_db;
-- Copied in name order: the child table comes before the table it references, and
-- `b_tree` references itself.
CREATE TABLE fk_db.b_parent (id INT PRIMARY KEY, name TEXT);
CREATE TABLE fk_db.a_child (id INT PRIMARY KEY, parent_id INT NOT NULL REFERENCES fk_db.b_parent (id), v TEXT);
CREATE TABLE fk_db.b_tree (id INT PRIMARY KEY, up INT REFERENCES fk_db.b_tree (id));
CREATE TABLE fk_db.c_audited (id INT PRIMARY KEY, v TEXT);
