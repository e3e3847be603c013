-- A schema with every kind of object a schema copy brings, names that need quoting and a
-- partitioned table.
DROP SCHEMA IF EXISTS "Shop Schema" CASCADE;
CREATE SCHEMA "Shop Schema";
COMMENT ON SCHEMA "Shop Schema" IS 'the shop';
SET search_path = "Shop Schema";
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TYPE money_pair AS (amount numeric(12,2), currency char(3));
CREATE TYPE float_range AS RANGE (subtype = float8);
CREATE SEQUENCE order_no START 1000 INCREMENT 5;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- keep the time of the last change
  NEW.updated := now();
  RETURN NEW;
END $$;
CREATE TABLE customer (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  "Display Name" varchar(80) DEFAULT 'anonymous',
  feeling mood,
  visits positive_int DEFAULT 1,
  updated timestamptz
);
COMMENT ON TABLE customer IS 'who buys';
COMMENT ON COLUMN customer.email IS 'unique login';
CREATE TABLE "Order Items" (
  order_no integer NOT NULL DEFAULT nextval('order_no'),
  line smallint NOT NULL,
  customer_id bigint NOT NULL REFERENCES customer (id),
  price money_pair,
  qty integer NOT NULL CHECK (qty > 0),
  total numeric GENERATED ALWAYS AS ((price).amount * qty) STORED,
  "select" text,
  band float_range,
  PRIMARY KEY (order_no, line)
);
ALTER SEQUENCE order_no OWNED BY "Order Items".order_no;
CREATE INDEX order_items_customer ON "Order Items" (customer_id);
CREATE INDEX order_items_select_lower ON "Order Items" (lower("select")) WHERE "select" IS NOT NULL;
CREATE TRIGGER customer_touch BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TABLE event (
  id bigint NOT NULL,
  at date NOT NULL,
  what text,
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX event_what ON event (what);
CREATE VIEW big_orders AS SELECT order_no, line, total FROM "Order Items" WHERE total > 100;
CREATE MATERIALIZED VIEW customer_count AS SELECT count(*) AS n FROM customer;
CREATE TABLE audit (at timestamptz DEFAULT now(), note text);
INSERT INTO customer (email, feeling, visits) SELECT 'c' || n || '@x', 'ok', n FROM generate_series(1, 300) n;
INSERT INTO "Order Items" (line, customer_id, price, qty, "select", band)
  SELECT n % 3, 1 + n % 300, ROW((n * 1.5)::numeric(12,2), 'EUR')::money_pair, 1 + n % 4, 'pick ' || n, '[1.5,2.5)'
  FROM generate_series(1, 2000) n;
INSERT INTO event SELECT n, DATE '2024-03-01' + (n % 500), 'e' || n FROM generate_series(1, 3000) n;
INSERT INTO audit (note) SELECT 'n' || n FROM generate_series(1, 100) n;
