DROP SCHEMA IF EXISTS part_db CASCADE;
CREATE SCHEMA part_db;
CREATE TABLE part_db.events (day DATE NOT NULL, n INT, note TEXT) PARTITION BY RANGE (day);
CREATE TABLE part_db.events_2023 PARTITION OF part_db.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE part_db.events_2024 PARTITION OF part_db.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE part_db.events_other PARTITION OF part_db.events DEFAULT;
CREATE VIEW part_db.v_events AS SELECT day, n FROM part_db.events;
CREATE MATERIALIZED VIEW part_db.mv_events AS SELECT count(*) AS c FROM part_db.events;
