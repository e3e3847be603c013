-- The target holds the schema and its comment already, as the source has them: the copy
-- finds them identical and creates the rest.
DROP SCHEMA IF EXISTS "Shop Schema" CASCADE;
CREATE SCHEMA "Shop Schema";
COMMENT ON SCHEMA "Shop Schema" IS 'the shop';
