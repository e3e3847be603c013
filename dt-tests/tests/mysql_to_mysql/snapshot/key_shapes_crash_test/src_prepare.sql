DROP DATABASE IF EXISTS keyshape_db;
CREATE DATABASE keyshape_db CHARACTER SET utf8mb4;
CREATE TABLE keyshape_db.composite (a INT NOT NULL, b VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE keyshape_db.nullable_uk (u INT NULL, v VARCHAR(40), UNIQUE KEY (u));
CREATE TABLE keyshape_db.nullable_pair (p INT NULL, q VARCHAR(20) NULL, v INT, UNIQUE KEY (p, q));
