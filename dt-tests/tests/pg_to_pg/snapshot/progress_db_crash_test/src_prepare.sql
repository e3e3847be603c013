DROP SCHEMA IF EXISTS progdb CASCADE;
CREATE SCHEMA progdb;
CREATE TABLE progdb.composite (a INT NOT NULL, b TEXT COLLATE "en-x-icu" NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE progdb.composite_int (a INT NOT NULL, b INT NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE progdb.nullable_uk (u INT UNIQUE, v TEXT);
CREATE TABLE progdb.nullable_pair (p INT, q VARCHAR(20), v INT, UNIQUE (p, q));
CREATE TABLE progdb.text_key (k TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT);
CREATE TABLE progdb.no_key (a INT, b TEXT);
