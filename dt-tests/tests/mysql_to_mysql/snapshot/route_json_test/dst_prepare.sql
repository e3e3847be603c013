DROP DATABASE IF EXISTS route_json_1;
CREATE DATABASE route_json_1;
DROP DATABASE IF EXISTS route_json_2;
CREATE DATABASE route_json_2;
DROP DATABASE IF EXISTS route_json_3;
CREATE DATABASE route_json_3;
DROP DATABASE IF EXISTS dst_route_json_1;
CREATE DATABASE dst_route_json_1;
DROP DATABASE IF EXISTS dst_route_json_2;
CREATE DATABASE dst_route_json_2;
DROP DATABASE IF EXISTS dst_route_json_3;
CREATE DATABASE dst_route_json_3;
-- db_map
CREATE TABLE dst_route_json_1.one_pk (f_0 INT, f_1 VARCHAR(40), PRIMARY KEY (f_0));
CREATE TABLE dst_route_json_1.keyless (f_0 INT, f_1 VARCHAR(40));
-- tb_map
CREATE TABLE dst_route_json_2.dst_one_pk (f_0 INT, f_1 VARCHAR(40), PRIMARY KEY (f_0));
-- no map
CREATE TABLE route_json_2.other (f_0 INT, f_1 VARCHAR(40), PRIMARY KEY (f_0));
-- tb_map and col_map
CREATE TABLE dst_route_json_3.dst_one_pk (dst_f_0 INT, dst_f_1 VARCHAR(40), PRIMARY KEY (dst_f_0));
-- db_map and col_map
CREATE TABLE dst_route_json_3.keyless (f_0 INT, dst_f_1 VARCHAR(40));
CREATE TABLE dst_route_json_3.other (f_0 INT NOT NULL, dst_f_1 VARCHAR(40), f_2 INT NOT NULL, PRIMARY KEY (f_0, f_2));
-- A slow target: one row in a hundred takes 2 ms to write, so that kills land mid-copy.
CREATE TRIGGER dst_route_json_1.slow_one_pk BEFORE INSERT ON dst_route_json_1.one_pk FOR EACH ROW
  BEGIN IF NEW.f_0 MOD 100 = 0 THEN DO SLEEP(0.002); END IF; END;
CREATE TRIGGER dst_route_json_3.slow_one_pk BEFORE INSERT ON dst_route_json_3.dst_one_pk FOR EACH ROW
  BEGIN IF NEW.dst_f_0 MOD 100 = 0 THEN DO SLEEP(0.002); END IF; END;
