DROP DATABASE IF EXISTS chunk_db;
CREATE DATABASE chunk_db CHARACTER SET utf8mb4;
CREATE TABLE chunk_db.composite (a INT NOT NULL, b VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE chunk_db.composite_int (a INT NOT NULL, b INT NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE chunk_db.nullable_uk (u INT NULL, v VARCHAR(40), UNIQUE KEY (u));
CREATE TABLE chunk_db.nullable_pair (p INT NULL, q VARCHAR(20) NULL, v INT, UNIQUE KEY (p, q));
CREATE TABLE chunk_db.text_key (k VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT);
