DROP DATABASE IF EXISTS fk_checks_db;
CREATE DATABASE fk_checks_db CHARACTER SET utf8mb4;
CREATE TABLE fk_checks_db.b_parent (id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE fk_checks_db.a_child (id INT PRIMARY KEY, parent_id INT NOT NULL, v VARCHAR(20),
  CONSTRAINT a_child_parent FOREIGN KEY (parent_id) REFERENCES fk_checks_db.b_parent (id));
