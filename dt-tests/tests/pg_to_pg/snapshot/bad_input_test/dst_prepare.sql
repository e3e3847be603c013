DROP SCHEMA IF EXISTS bad_input_db CASCADE;
CREATE SCHEMA bad_input_db;
CREATE TABLE bad_input_db.a_present (id INT PRIMARY KEY, v VARCHAR(10));
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dt_password_user') THEN
    CREATE ROLE dt_password_user LOGIN PASSWORD 'right-password';
  END IF;
END $$;
