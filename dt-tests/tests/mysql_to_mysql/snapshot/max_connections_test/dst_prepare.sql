-- A slow target (1 ms per row): every writer stays busy, so an uncapped pool would open
-- all the connections the parallelism asks for.
DROP DATABASE IF EXISTS max_connections_db;
CREATE DATABASE max_connections_db CHARACTER SET utf8mb4;
CREATE TABLE max_connections_db.t1 (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE max_connections_db.t2 LIKE max_connections_db.t1;
CREATE TABLE max_connections_db.t3 LIKE max_connections_db.t1;
CREATE TABLE max_connections_db.t4 LIKE max_connections_db.t1;
CREATE TRIGGER max_connections_db.slow1 BEFORE INSERT ON max_connections_db.t1 FOR EACH ROW DO SLEEP(0.001);
CREATE TRIGGER max_connections_db.slow2 BEFORE INSERT ON max_connections_db.t2 FOR EACH ROW DO SLEEP(0.001);
CREATE TRIGGER max_connections_db.slow3 BEFORE INSERT ON max_connections_db.t3 FOR EACH ROW DO SLEEP(0.001);
CREATE TRIGGER max_connections_db.slow4 BEFORE INSERT ON max_connections_db.t4 FOR EACH ROW DO SLEEP(0.001);
