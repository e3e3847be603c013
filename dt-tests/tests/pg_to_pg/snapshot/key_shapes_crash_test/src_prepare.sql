DROP SCHEMA IF EXISTS keyshape_db CASCADE;
CREATE SCHEMA keyshape_db;
CREATE TABLE keyshape_db.composite (a INT NOT NULL, b TEXT COLLATE "en-x-icu" NOT NULL, v TEXT, PRIMARY KEY (a, b));
CREATE TABLE keyshape_db.nullable_uk (u INT UNIQUE, v TEXT);
CREATE TABLE keyshape_db.nullable_pair (p INT, q VARCHAR(20), v INT, UNIQUE (p, q));
