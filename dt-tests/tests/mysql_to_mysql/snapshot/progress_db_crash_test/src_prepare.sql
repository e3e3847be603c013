DROP DATABASE IF EXISTS progdb;
CREATE DATABASE progdb CHARACTER SET utf8mb4;
CREATE TABLE progdb.composite (a INT NOT NULL, b VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE progdb.composite_int (a INT NOT NULL, b INT NOT NULL, v VARCHAR(40), PRIMARY KEY (a, b));
CREATE TABLE progdb.nullable_uk (u INT NULL, v VARCHAR(40), UNIQUE KEY (u));
CREATE TABLE progdb.nullable_pair (p INT NULL, q VARCHAR(20) NULL, v INT, UNIQUE KEY (p, q));
CREATE TABLE progdb.text_key (k VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT);
CREATE TABLE progdb.no_key (a INT, b VARCHAR(40));
