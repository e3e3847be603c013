-- One database with every kind of object a MySQL/MariaDB schema copy brings, and names
-- that need quoting.
DROP DATABASE IF EXISTS `Shop DB`;
CREATE DATABASE `Shop DB` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE `Shop DB`;

CREATE TABLE customer (
  id int NOT NULL AUTO_INCREMENT,
  email varchar(120) NOT NULL,
  name varchar(80) NOT NULL COMMENT 'shown on invoices',
  born date DEFAULT NULL,
  tier enum('basic','gold') NOT NULL DEFAULT 'basic',
  PRIMARY KEY (id),
  UNIQUE KEY customer_email (email),
  KEY customer_name (name),
  CONSTRAINT customer_born CHECK (born > '1900-01-01')
) ENGINE=InnoDB AUTO_INCREMENT=1000 COMMENT='people who buy';

CREATE TABLE `Order Items` (
  order_id bigint NOT NULL,
  line int NOT NULL,
  customer_id int NOT NULL,
  `select` varchar(20) DEFAULT NULL,
  qty int NOT NULL DEFAULT 1,
  price decimal(10,2) NOT NULL,
  total decimal(12,2) AS (qty * price) STORED,
  note text,
  PRIMARY KEY (order_id, line),
  KEY order_items_customer (customer_id),
  KEY order_items_select (`select`(10), qty),
  FULLTEXT KEY order_items_note (note),
  CONSTRAINT order_items_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- The auto-increment column's only key is a secondary one: it stays with the table.
CREATE TABLE event_log (
  seq int NOT NULL AUTO_INCREMENT,
  at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  what varchar(40) NOT NULL,
  KEY event_log_seq (seq),
  KEY event_log_at (at)
) ENGINE=InnoDB;

CREATE TABLE sales (
  id int NOT NULL,
  sold date NOT NULL,
  amount int NOT NULL,
  PRIMARY KEY (id, sold),
  KEY sales_amount (amount)
) ENGINE=InnoDB
PARTITION BY RANGE (YEAR(sold)) (
  PARTITION p2023 VALUES LESS THAN (2024),
  PARTITION p2024 VALUES LESS THAN (2025),
  PARTITION pmax VALUES LESS THAN MAXVALUE
);

CREATE SEQUENCE invoice_no START WITH 100 INCREMENT BY 5;

INSERT INTO customer (id, email, name, born, tier) VALUES
  (1, 'a@x', 'Ann', '1980-01-02', 'gold'), (2, 'b@x', 'Bob', NULL, 'basic'), (7, 'c@x', 'Cy', '1999-12-31', 'basic');
INSERT INTO `Order Items` (order_id, line, customer_id, `select`, qty, price, note) VALUES
  (1, 1, 1, 'red', 2, 3.50, 'gift wrap'), (1, 2, 1, NULL, 1, 10.00, NULL), (2, 1, 2, 'blue', 5, 1.25, 'leave at door');
INSERT INTO event_log (what) VALUES ('start'), ('stop');
INSERT INTO sales VALUES (1, '2023-05-01', 10), (2, '2024-06-01', 20), (3, '2026-01-01', 30);
SELECT NEXTVAL(invoice_no), NEXTVAL(invoice_no);

CREATE FUNCTION line_total(q int, p decimal(10,2)) RETURNS decimal(12,2) DETERMINISTIC
  RETURN q * p;

CREATE PROCEDURE add_event(IN w varchar(40))
BEGIN
  -- a comment inside the body
  INSERT INTO event_log (what) VALUES (w);
END;

CREATE VIEW customer_orders AS
  SELECT c.id, c.name, count(*) AS n_lines FROM customer c JOIN `Order Items` o ON o.customer_id = c.id GROUP BY c.id, c.name;
-- A view over a view, created after it; its name sorts before the view it reads.
CREATE VIEW a_gold_orders AS SELECT * FROM customer_orders WHERE n_lines > 1;

CREATE TRIGGER order_items_log AFTER INSERT ON `Order Items` FOR EACH ROW
  INSERT INTO event_log (what) VALUES (concat('line ', NEW.line));
-- Two triggers of one event: they fire in the order they were created.
CREATE TRIGGER order_items_zz BEFORE INSERT ON `Order Items` FOR EACH ROW SET NEW.qty = greatest(NEW.qty, 1);
CREATE TRIGGER order_items_aa BEFORE INSERT ON `Order Items` FOR EACH ROW FOLLOWS order_items_zz SET NEW.note = coalesce(NEW.note, '');

CREATE EVENT purge_events ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE
  DO DELETE FROM event_log WHERE at < now() - INTERVAL 30 DAY;
