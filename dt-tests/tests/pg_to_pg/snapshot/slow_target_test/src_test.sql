-- About 40 MB and 20 MB in rows of about 200 bytes: far more than the task's buffer and
-- the socket buffers hold, so the source has to wait while the target is locked.
INSERT INTO slow_target_db.no_key SELECT n % 1000, n || '-' || repeat('x', 190) FROM generate_series(1, 200000) n;
INSERT INTO slow_target_db.composite_pk SELECT n % 100, n, n || '-' || repeat('y', 190) FROM generate_series(1, 100000) n;
-- The role dt reads as has the time limits a DBA might set: 2 s per statement and 2 s idle
-- in a transaction.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slow_target_reader') THEN
    CREATE ROLE slow_target_reader LOGIN;
  END IF;
END $$;
ALTER ROLE slow_target_reader SET statement_timeout = '2s';
ALTER ROLE slow_target_reader SET idle_in_transaction_session_timeout = '2s';
GRANT USAGE ON SCHEMA slow_target_db TO slow_target_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA slow_target_db TO slow_target_reader;
