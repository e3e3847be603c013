DROP SCHEMA IF EXISTS secret_db CASCADE;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dt_password_user') THEN
    CREATE ROLE dt_password_user LOGIN;
  END IF;
END $$;
ALTER ROLE dt_password_user LOGIN PASSWORD 'S3cr3t!pw-pg';
CREATE SCHEMA secret_db AUTHORIZATION dt_password_user;
CREATE TABLE secret_db.t (id INT PRIMARY KEY, v TEXT);
ALTER TABLE secret_db.t OWNER TO dt_password_user;
