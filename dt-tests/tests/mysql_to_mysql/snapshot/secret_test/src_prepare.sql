CREATE USER IF NOT EXISTS 'dt_secret'@'127.0.0.1' IDENTIFIED BY 'S3cr3t!pw-my';
ALTER USER 'dt_secret'@'127.0.0.1' IDENTIFIED BY 'S3cr3t!pw-my';
GRANT ALL PRIVILEGES ON *.* TO 'dt_secret'@'127.0.0.1';
DROP DATABASE IF EXISTS secret_db;
CREATE DATABASE secret_db;
CREATE TABLE secret_db.t (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE secret_db.missing_in_target (id INT PRIMARY KEY);
INSERT INTO secret_db.t VALUES (1, 'one'), (2, 'two');
