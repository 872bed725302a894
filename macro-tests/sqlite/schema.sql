-- The schema that the sqlx-checked macros (tests/checked.rs) are verified against at compile
-- time, through schema.db. After editing this file, rebuild schema.db:
--   rm -f schema.db && sqlite3 schema.db < schema.sql
-- (tests/checked.rs fails while the two disagree.)
CREATE TABLE tenants (id INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY NOT NULL, tenant_id BIGINT NOT NULL, name TEXT NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY NOT NULL,
    tenant_id BIGINT NOT NULL,
    customer_id BIGINT,
    total BIGINT NOT NULL
);
