-- Each insert records the isolation level and foreign_key_checks of the session that runs
-- it, i.e. of dt's writers (z_seen is in the target only; the task copies t and no_key).
DROP DATABASE IF EXISTS isolation_db;
CREATE DATABASE isolation_db CHARACTER SET utf8mb4;
CREATE TABLE isolation_db.t (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE isolation_db.no_key (a INT, v VARCHAR(20));
CREATE TABLE isolation_db.z_seen (tb VARCHAR(10), iso VARCHAR(40), fk INT, PRIMARY KEY (tb, iso, fk));
CREATE TRIGGER isolation_db.seen_t BEFORE INSERT ON isolation_db.t FOR EACH ROW
  INSERT IGNORE INTO isolation_db.z_seen VALUES ('t', @@session.tx_isolation, @@session.foreign_key_checks);
CREATE TRIGGER isolation_db.seen_no_key BEFORE INSERT ON isolation_db.no_key FOR EACH ROW
  INSERT IGNORE INTO isolation_db.z_seen VALUES ('no_key', @@session.tx_isolation, @@session.foreign_key_checks);
