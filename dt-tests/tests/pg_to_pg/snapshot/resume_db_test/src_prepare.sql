DROP SCHEMA IF EXISTS test_db_1 CASCADE;
DROP SCHEMA IF EXISTS "test_db_*.*" CASCADE;
CREATE SCHEMA test_db_1;
CREATE SCHEMA "test_db_*.*";

CREATE TABLE test_db_1.one_pk_no_uk (f_0 INT PRIMARY KEY, f_1 VARCHAR(10));
CREATE TABLE test_db_1.one_pk_multi_uk (f_0 INT PRIMARY KEY, f_1 INT NOT NULL, f_2 VARCHAR(10) NOT NULL, CONSTRAINT uk_1 UNIQUE (f_1), CONSTRAINT uk_2 UNIQUE (f_2));
CREATE TABLE test_db_1.no_progress_table (f_0 INT PRIMARY KEY, f_1 VARCHAR(10));

CREATE TABLE "test_db_*.*"."finished_table_*$1" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE "test_db_*.*"."finished_table_*$2" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE "test_db_*.*"."in_finished_log_table_*$1" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE "test_db_*.*"."in_finished_log_table_*$2" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE "test_db_*.*"."in_position_log_table_*$1" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE "test_db_*.*"."resume_table_*$4" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
CREATE TABLE "test_db_*.*"."in_both_table_*$1" ("p.k" INT PRIMARY KEY, v VARCHAR(10));
