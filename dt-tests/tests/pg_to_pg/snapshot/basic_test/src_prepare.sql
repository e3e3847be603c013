DROP SCHEMA IF EXISTS basic_db CASCADE;
DROP SCHEMA IF EXISTS "test_db_*.*" CASCADE;
CREATE SCHEMA basic_db;
CREATE SCHEMA "test_db_*.*";
CREATE TYPE basic_db.mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');

CREATE TABLE basic_db.all_types (
  id INT PRIMARY KEY,
  f_smallint SMALLINT, f_int INT, f_bigint BIGINT,
  f_numeric NUMERIC, f_numeric_p NUMERIC(38, 10), f_real REAL, f_double DOUBLE PRECISION,
  f_bool BOOLEAN, f_text TEXT, f_varchar VARCHAR(50), f_char CHAR(10), f_bytea BYTEA,
  f_date DATE, f_time TIME, f_timetz TIME WITH TIME ZONE, f_timestamp TIMESTAMP, f_timestamptz TIMESTAMPTZ,
  f_interval INTERVAL, f_uuid UUID, f_json JSON, f_jsonb JSONB, f_inet INET, f_cidr CIDR, f_macaddr MACADDR,
  f_int_arr INT[], f_text_arr TEXT[], f_numeric_arr NUMERIC[], f_bytea_arr BYTEA[], f_ts_arr TIMESTAMPTZ[],
  f_2d_arr INT[][], f_enum basic_db.mood, f_enum_arr basic_db.mood[], f_bit BIT(8), f_varbit VARBIT(20),
  f_point POINT, f_money_free NUMERIC(12, 2), f_xml XML, f_tsvector TSVECTOR, f_int4range INT4RANGE
);

-- Only a unique key over a NOT NULL text column, paged in its collation's order.
CREATE TABLE basic_db.uk_only (code TEXT NOT NULL UNIQUE, note TEXT);
CREATE TABLE basic_db.nullable_uk (a INT UNIQUE, b TEXT);
CREATE TABLE basic_db.composite_pk (a INT, b TEXT, c DOUBLE PRECISION, PRIMARY KEY (a, b));
CREATE TABLE basic_db.no_key (a INT, b TEXT, c BYTEA);
CREATE TABLE basic_db.uuid_pk (id UUID PRIMARY KEY, v INT);
CREATE TABLE basic_db.bytea_pk (id BYTEA PRIMARY KEY, v INT);
CREATE TABLE basic_db.tstz_pk (id TIMESTAMPTZ PRIMARY KEY, v INT);
CREATE TABLE basic_db.numeric_pk (id NUMERIC PRIMARY KEY, v INT);
CREATE TABLE basic_db.enum_pk (id basic_db.mood PRIMARY KEY, v INT);
CREATE TABLE basic_db.identity_pk (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT, doubled INT GENERATED ALWAYS AS (length(v) * 2) STORED);
CREATE TABLE basic_db.many_rows (id INT PRIMARY KEY, k INT, c TEXT);
CREATE TABLE basic_db.empty_table (id INT PRIMARY KEY);
CREATE TABLE "test_db_*.*"."resume_table_*$4" ("p.k" INT PRIMARY KEY, "v a l" TEXT);
