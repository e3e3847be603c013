DROP SCHEMA IF EXISTS binary_db CASCADE;
CREATE SCHEMA binary_db;
-- Every type whose rows travel in binary COPY form, with their edge values.
CREATE TABLE binary_db.stable_types (
  id BIGINT PRIMARY KEY,
  f_smallint SMALLINT, f_int INT, f_real REAL, f_double DOUBLE PRECISION,
  f_numeric NUMERIC, f_numeric_p NUMERIC(20, 5), f_bool BOOLEAN,
  f_text TEXT, f_varchar VARCHAR(20), f_char CHAR(5), f_bytea BYTEA,
  f_date DATE, f_time TIME(3), f_ts TIMESTAMP, f_tstz TIMESTAMPTZ(2), f_interval INTERVAL,
  f_uuid UUID, f_json JSON, f_jsonb JSONB
);
-- Integer keys of every width, one of two columns.
CREATE TABLE binary_db.small_key (id SMALLINT PRIMARY KEY, v TEXT);
CREATE TABLE binary_db.int_pair (a INT NOT NULL, b BIGINT NOT NULL, v TEXT, PRIMARY KEY (a, b));
-- No key: read by pages of its storage.
CREATE TABLE binary_db.no_key (a INT, b TEXT, c NUMERIC(8, 2));
-- Column types that differ in the target: the rows travel as text.
CREATE TABLE binary_db.retyped (id INT PRIMARY KEY, n BIGINT, s TEXT);
-- An array: the rows travel as text.
CREATE TABLE binary_db.with_array (id INT PRIMARY KEY, a INT[]);
-- Character and uuid keys, decoded from binary for positions.
CREATE TABLE binary_db.text_key (code TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT);
CREATE TABLE binary_db.char_pair (c CHAR(4) NOT NULL, s VARCHAR(8) NOT NULL, v INT, PRIMARY KEY (c, s));
CREATE TABLE binary_db.uuid_key (id UUID PRIMARY KEY, v INT);
-- A numeric key: the rows travel as text.
CREATE TABLE binary_db.numeric_key (id NUMERIC PRIMARY KEY, v INT);
