DROP DATABASE IF EXISTS verify_exact_db;
CREATE DATABASE verify_exact_db;
CREATE TABLE verify_exact_db.exact (
  id INT PRIMARY KEY,
  f_float FLOAT,
  f_float_big FLOAT,
  f_float_unsigned FLOAT UNSIGNED,
  f_double DOUBLE,
  f_double_tiny DOUBLE,
  f_decimal DECIMAL(65, 30),
  f_datetime DATETIME(6),
  f_timestamp TIMESTAMP(6) NULL,
  f_time TIME(6),
  f_bit BIT(64),
  f_json JSON,
  f_varbinary VARBINARY(16),
  f_blob BLOB,
  f_varchar VARCHAR(16) COLLATE utf8mb4_general_ci
);
