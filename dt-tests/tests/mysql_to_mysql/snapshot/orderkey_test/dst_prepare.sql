DROP DATABASE IF EXISTS orderkey_db;
CREATE DATABASE orderkey_db;
CREATE TABLE orderkey_db.single_log (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE orderkey_db.single_cfg (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE orderkey_db.finished_ape (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE orderkey_db.null_single (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE orderkey_db.null_value (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE orderkey_db.other_col (id INT PRIMARY KEY, u INT NOT NULL UNIQUE, v VARCHAR(20));
CREATE TABLE orderkey_db.composite (a INT NOT NULL, b VARCHAR(10) NOT NULL, v VARCHAR(20), PRIMARY KEY (a, b));
CREATE TABLE orderkey_db.composite_null (a INT NULL, b VARCHAR(10) NULL, v VARCHAR(20), UNIQUE (a, b));
CREATE TABLE orderkey_db.keyless_uk (u INT NULL UNIQUE, v VARCHAR(20));
CREATE TABLE orderkey_db.keyless_dup (v INT, w VARCHAR(20));
-- Left by the interrupted ape-dts run.
INSERT INTO orderkey_db.null_single VALUES (1,'v1'),(2,'v2'),(3,'v3');
INSERT INTO orderkey_db.composite VALUES (1,'w','c1w'),(1,'x','c1x');
INSERT INTO orderkey_db.composite_null VALUES (1,'w','n1'),(2,NULL,'n2'),(2,NULL,'n3'),(2,'x','n4'),(NULL,'y','n5'),(NULL,NULL,'n6'),(NULL,NULL,'n7'),(3,'z','n8');
INSERT INTO orderkey_db.keyless_uk VALUES (NULL,'k0'),(NULL,'k00'),(1,'k1'),(2,'k2'),(3,'k3'),(4,'k4'),(5,'k5'),(6,'k6');
INSERT INTO orderkey_db.keyless_dup VALUES (1,'a'),(1,'b'),(2,'c'),(2,'d'),(2,'d');
