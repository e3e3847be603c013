DROP SCHEMA IF EXISTS fk_db CASCADE;
CREATE SCHEMA fk_db;
CREATE TABLE fk_db.b_parent (id INT PRIMARY KEY, name TEXT);
CREATE TABLE fk_db.a_child (id INT PRIMARY KEY, parent_id INT NOT NULL REFERENCES fk_db.b_parent (id), v TEXT);
CREATE TABLE fk_db.b_tree (id INT PRIMARY KEY, up INT REFERENCES fk_db.b_tree (id));
CREATE TABLE fk_db.c_audited (id INT PRIMARY KEY, v TEXT);
-- An ordinary trigger of the target: it does not fire while triggers are disabled.
CREATE TABLE fk_db.z_audit_log (at TIMESTAMPTZ DEFAULT now(), id INT);
CREATE FUNCTION fk_db.audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO fk_db.z_audit_log (id) VALUES (NEW.id); RETURN NEW; END $$;
CREATE TRIGGER audit AFTER INSERT ON fk_db.c_audited FOR EACH ROW EXECUTE FUNCTION fk_db.audit();
-- A role that may not set session_replication_role.
DO $$ BEGIN CREATE ROLE dt_plain_user LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
