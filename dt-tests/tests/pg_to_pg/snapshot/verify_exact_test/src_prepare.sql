DROP SCHEMA IF EXISTS verify_exact_db CASCADE;
CREATE SCHEMA verify_exact_db;
CREATE TABLE verify_exact_db.exact (
  id INT PRIMARY KEY,
  f_real REAL,
  f_real_big REAL,
  f_double DOUBLE PRECISION,
  f_double_zero DOUBLE PRECISION,
  f_double_array DOUBLE PRECISION[],
  f_numeric NUMERIC,
  f_timestamp TIMESTAMP(6),
  f_timestamptz TIMESTAMPTZ(6),
  f_time TIME(6),
  f_interval INTERVAL,
  f_bit BIT(64),
  f_json JSON,
  f_jsonb JSONB,
  f_bytea BYTEA,
  f_text TEXT
);
