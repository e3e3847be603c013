DROP SCHEMA IF EXISTS binary_db CASCADE;
CREATE SCHEMA binary_db;
-- Every type whose rows travel in binary COPY form, with their edge values.
CREATE TABLE binary_db.stable_types (
  id BIGINT PRIMARY KEY,
  f_smallint SMALLINT, f_int INT, f_real REAL, f_double DOUBLE PRECISION,
  f_numeric NUMERIC, f_numeric_p NUMERIC(20, 5), f_bool BOOLEAN,
  f_text TEXT, f_varchar VARCHAR(20), f_char CHAR(5), f_bytea BYTEA,
  f_date DATE, f_time TIME(3), f_ts TIMESTAMP, f_tstz TIMESTAMPTZ(2), f_interval INTERVAL,
  f_uuid UUID, f_json JSON, f_jsonb JSONB
);
INSERT INTO binary_db.stable_types
SELECT g, (g % 65536) - 32768, g * 7919, g / 7.0, g / 3.0,
  g * 1000000007.123456789, g / 9.0, g % 3 = 0,
  'row ' || g || E'\t' || repeat('x', g % 17), 'v' || g, chr(65 + g % 26), decode(lpad(to_hex(g), 8, '0'), 'hex'),
  DATE '2000-01-01' + g, TIME '00:00:00' + g * INTERVAL '1.234 second', TIMESTAMP '2020-02-29 12:00:00' + g * INTERVAL '1 minute',
  TIMESTAMPTZ '1999-12-31 23:59:59.99+05' + g * INTERVAL '1 hour', g * INTERVAL '1 day 1.5 second',
  md5(g::text)::uuid, json_build_object('g', g, 'list', json_build_array(g, g * 2)), jsonb_build_object('g', g, 'half', g / 2.0)
FROM generate_series(1, 3000) AS g;
INSERT INTO binary_db.stable_types VALUES
  (-9223372036854775808, -32768, -2147483648, 'NaN', '-Infinity', 'NaN', -99999.99999, false,
   E'back\\slash\nnew\rline \u00e9\u6c34\U0001F642', '', '', '\x00ff00'::bytea,
   '-infinity', '24:00:00', 'infinity', '-infinity', '-178000000 years',
   '00000000-0000-0000-0000-000000000000', '{ "spaced" :  [1, 2] }', '{"nested": {"a": [null, true, 1.50]}}'),
  (9223372036854775807, 32767, 2147483647, '-0', '1e-307', 'Infinity', 0, true,
   '', 'zß水🙂', 'ab   ', ''::bytea,
   '5874897-12-31', '00:00:00', '294276-12-31 23:59:59.999999', '4713-01-01 00:00:00+00 BC', '1 mon -2 days 03:04:05.678',
   'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', '[]'),
  (0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- Integer keys of every width, one of two columns.
CREATE TABLE binary_db.small_key (id SMALLINT PRIMARY KEY, v TEXT);
INSERT INTO binary_db.small_key SELECT g, 'v' || g FROM generate_series(-32768, 32767, 97) AS g;
CREATE TABLE binary_db.int_pair (a INT NOT NULL, b BIGINT NOT NULL, v TEXT, PRIMARY KEY (a, b));
INSERT INTO binary_db.int_pair SELECT g % 13 - 6, g * 1000003, 'p' || g FROM generate_series(1, 2000) AS g;

-- No key: read by pages of its storage.
CREATE TABLE binary_db.no_key (a INT, b TEXT, c NUMERIC(8, 2));
INSERT INTO binary_db.no_key SELECT g % 50, 'n' || g, g / 4.0 FROM generate_series(1, 1500) AS g;

-- Column types that differ in the target: the rows travel as text.
CREATE TABLE binary_db.retyped (id INT PRIMARY KEY, n INT, s VARCHAR(10));
INSERT INTO binary_db.retyped SELECT g, -g, 's' || g FROM generate_series(1, 1000) AS g;

-- An array: the rows travel as text.
CREATE TABLE binary_db.with_array (id INT PRIMARY KEY, a INT[]);
INSERT INTO binary_db.with_array SELECT g, ARRAY[g, -g] FROM generate_series(1, 500) AS g;

-- Character and uuid keys, decoded from binary for positions.
CREATE TABLE binary_db.text_key (code TEXT COLLATE "en-x-icu" PRIMARY KEY, v INT);
INSERT INTO binary_db.text_key SELECT 'k' || g || E'\t' || chr(200 + g % 300) || repeat('\', g % 3), g FROM generate_series(1, 1200) AS g;
INSERT INTO binary_db.text_key VALUES (E'new\nline', -1), ('', -2), ('Zß水🙂', -3), ('a''quote', -4);
CREATE TABLE binary_db.char_pair (c CHAR(4) NOT NULL, s VARCHAR(8) NOT NULL, v INT, PRIMARY KEY (c, s));
INSERT INTO binary_db.char_pair SELECT chr(65 + g % 26), 's' || g, g FROM generate_series(1, 1300) AS g;
CREATE TABLE binary_db.uuid_key (id UUID PRIMARY KEY, v INT);
INSERT INTO binary_db.uuid_key SELECT md5(g::text)::uuid, g FROM generate_series(1, 1100) AS g;
INSERT INTO binary_db.uuid_key VALUES ('00000000-0000-0000-0000-000000000000', 0), ('ffffffff-ffff-ffff-ffff-ffffffffffff', -1);

-- A numeric key: the rows travel as text.
CREATE TABLE binary_db.numeric_key (id NUMERIC PRIMARY KEY, v INT);
INSERT INTO binary_db.numeric_key SELECT g / 7.0, g FROM generate_series(1, 600) AS g;
