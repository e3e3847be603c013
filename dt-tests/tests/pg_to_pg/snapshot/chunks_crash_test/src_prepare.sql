DROP SCHEMA IF EXISTS chunk_db CASCADE;
CREATE SCHEMA chunk_db;
CREATE TABLE chunk_db.composite (a INT NOT NULL, b TEXT COLLATE "en-x-icu" NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE chunk_db.composite_int (a INT NOT NULL, b INT NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE chunk_db.nullable_uk (u INT UNIQUE, v TEXT);
CREATE TABLE chunk_db.nullable_pair (p INT, q VARCHAR(20), v INT, UNIQUE (p, q));
CREATE TABLE chunk_db.text_key (k TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT);
