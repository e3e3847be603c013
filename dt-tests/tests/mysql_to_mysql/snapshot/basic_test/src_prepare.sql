DROP DATABASE IF EXISTS basic_db;
DROP DATABASE IF EXISTS `test_db_@`;
CREATE DATABASE basic_db CHARACTER SET utf8mb4;
CREATE DATABASE `test_db_@`;

CREATE TABLE basic_db.all_types (
  id INT PRIMARY KEY,
  f_tinyint TINYINT, f_tinyint_u TINYINT UNSIGNED, f_bool TINYINT(1),
  f_smallint SMALLINT, f_smallint_u SMALLINT UNSIGNED,
  f_mediumint MEDIUMINT, f_mediumint_u MEDIUMINT UNSIGNED,
  f_int INT, f_int_u INT UNSIGNED, f_bigint BIGINT, f_bigint_u BIGINT UNSIGNED,
  f_decimal DECIMAL(65,30), f_decimal_small DECIMAL(5,2) UNSIGNED,
  f_float FLOAT, f_double DOUBLE, f_bit1 BIT(1), f_bit64 BIT(64),
  f_date DATE, f_time TIME, f_time6 TIME(6), f_datetime DATETIME, f_datetime6 DATETIME(6),
  f_timestamp TIMESTAMP NULL, f_timestamp6 TIMESTAMP(6) NULL, f_year YEAR,
  f_char CHAR(20), f_varchar VARCHAR(255), f_latin1 VARCHAR(100) CHARACTER SET latin1,
  f_gb2312 VARCHAR(100) CHARACTER SET gb2312, f_tinytext TINYTEXT, f_text TEXT, f_mediumtext MEDIUMTEXT, f_longtext LONGTEXT,
  f_binary BINARY(8), f_varbinary VARBINARY(64), f_tinyblob TINYBLOB, f_blob BLOB, f_mediumblob MEDIUMBLOB, f_longblob LONGBLOB,
  f_enum ENUM('small','medium','large'), f_set SET('a','b','c','d'), f_json JSON
);

-- Only a unique key over a NOT NULL string column: paged by it in collation order.
CREATE TABLE basic_db.uk_only (
  code VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
  note VARCHAR(32),
  UNIQUE KEY uk_code (code)
);

-- Unique key over a nullable column only: no usable key.
CREATE TABLE basic_db.nullable_uk (a INT, b VARCHAR(10), UNIQUE KEY uk_a (a));

CREATE TABLE basic_db.composite_pk (a INT NOT NULL, b VARCHAR(10) NOT NULL, c DOUBLE, PRIMARY KEY (a, b));

CREATE TABLE basic_db.no_key (a INT, b VARCHAR(20), c BLOB);

CREATE TABLE basic_db.binary_pk (id VARBINARY(16) PRIMARY KEY, v INT);

CREATE TABLE basic_db.unsigned_pk (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(10));

CREATE TABLE basic_db.datetime_pk (id DATETIME(6) PRIMARY KEY, v INT);

CREATE TABLE basic_db.decimal_pk (id DECIMAL(20,5) PRIMARY KEY, v INT);

CREATE TABLE basic_db.latin1_pk (id VARCHAR(20) NOT NULL PRIMARY KEY, v INT) CHARACTER SET latin1 COLLATE latin1_swedish_ci;

CREATE TABLE basic_db.many_rows (id INT AUTO_INCREMENT PRIMARY KEY, k INT, c CHAR(60), INDEX (k));

CREATE TABLE basic_db.empty_table (id INT PRIMARY KEY, v INT);

-- ENUM sorts by declared index, not by text: never an order column.
CREATE TABLE basic_db.enum_pk (e ENUM('i','h','g','f','e','d','c','b','a') PRIMARY KEY, v INT);

CREATE TABLE `test_db_@`.`resume_table_*$4` (`p.k` INT NOT NULL PRIMARY KEY, `v a l` VARCHAR(20));
