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

-- Progress that ape-dts keeps in the target (resume_type=from_target), in its own table and rows.
DROP SCHEMA IF EXISTS apecloud_resumer_test CASCADE;
CREATE SCHEMA apecloud_resumer_test;
CREATE TABLE apecloud_resumer_test.ape_task_position (
  id bigserial PRIMARY KEY,
  task_id varchar(255) NOT NULL,
  resumer_type varchar(100) NOT NULL,
  position_key varchar(255) NOT NULL,
  position_data text,
  created_at timestamp DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT uk_task_id_task_type_position_key UNIQUE (task_id, resumer_type, position_key)
);
INSERT INTO apecloud_resumer_test.ape_task_position (task_id, resumer_type, position_key, position_data) VALUES ('resume_db_test_1', 'SnapshotFinished', 'test_db_*.*-finished_table_*$1', '{"type":"RdbSnapshotFinished","db_type":"pg","schema":"test_db_*.*","tb":"finished_table_*$1"}');
INSERT INTO apecloud_resumer_test.ape_task_position (task_id, resumer_type, position_key, position_data) VALUES ('resume_db_test_1', 'SnapshotFinished', 'test_db_*.*-finished_table_*$2', '{"type":"RdbSnapshotFinished","db_type":"pg","schema":"test_db_*.*","tb":"finished_table_*$2"}');
INSERT INTO apecloud_resumer_test.ape_task_position (task_id, resumer_type, position_key, position_data) VALUES ('resume_db_test_1', 'SnapshotDoing', 'test_db_1-one_pk_no_uk', '{"type":"RdbSnapshot","db_type":"pg","schema":"test_db_1","tb":"one_pk_no_uk","order_key":{"single":["f_0","5"]}}');
INSERT INTO apecloud_resumer_test.ape_task_position (task_id, resumer_type, position_key, position_data) VALUES ('resume_db_test_1', 'SnapshotDoing', 'test_db_*.*-resume_table_*$4', '{"type":"RdbSnapshot","db_type":"pg","schema":"test_db_*.*","tb":"resume_table_*$4","order_key":{"single":["p.k","1"]}}');
-- Another task's progress, for a MySQL source.
INSERT INTO apecloud_resumer_test.ape_task_position (task_id, resumer_type, position_key, position_data) VALUES ('other_task', 'SnapshotFinished', 'db-t', '{"type":"RdbSnapshotFinished","db_type":"mysql","schema":"db","tb":"t"}');
-- Progress of the same kind of source, for tables this task does not have.
INSERT INTO apecloud_resumer_test.ape_task_position (task_id, resumer_type, position_key, position_data) VALUES ('tables_task', 'SnapshotFinished', 'elsewhere-gone', '{"type":"RdbSnapshotFinished","db_type":"pg","schema":"elsewhere","tb":"gone"}');
-- An account that may write rows but not create the progress table.
DROP ROLE IF EXISTS dt_no_ddl;
CREATE ROLE dt_no_ddl LOGIN PASSWORD 'no-ddl-Secret';
