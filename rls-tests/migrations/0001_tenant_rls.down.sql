-- Undoes the row-level security migration written by `tenant-query rls`: the grants, the
-- policies, FORCE and ENABLE, and the tenant columns' defaults that it set.
-- The role tq_rls_app is kept: roles belong to the whole cluster. Drop it with
-- `DROP ROLE tq_rls_app` once no database grants it anything.

-- The application role's privileges: the schemas, the declared tables, their sequences.
DO $tq$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM %I', current_schema(), 'tq_rls_app'); END $tq$;
REVOKE SELECT, INSERT, UPDATE, DELETE ON customers, orders, tenants FROM tq_rls_app;
DO $tq$
DECLARE
    seq regclass;
BEGIN
    FOR seq IN
        SELECT DISTINCT d.objid::regclass FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
        WHERE s.relkind = 'S' AND d.classid = 'pg_class'::regclass
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        AND d.refobjid = ANY (ARRAY['customers', 'orders', 'tenants']::regclass[])
    LOOP
        EXECUTE format('REVOKE USAGE, SELECT ON SEQUENCE %s FROM %I', seq, 'tq_rls_app');
    END LOOP;
END
$tq$;

-- orders
DO $tq$
BEGIN
    IF EXISTS (SELECT FROM pg_attrdef d JOIN pg_attribute a
                   ON a.attrelid = d.adrelid AND a.attnum = d.adnum
               WHERE d.adrelid = 'orders'::regclass AND a.attname = 'tenant_id'
               AND pg_get_expr(d.adbin, d.adrelid) LIKE '%current_setting(''tenant_query.tenant''%') THEN
        ALTER TABLE orders ALTER COLUMN tenant_id DROP DEFAULT;
    END IF;
END
$tq$;
DROP POLICY IF EXISTS tenant_query_isolation ON orders;
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
ALTER TABLE orders DISABLE ROW LEVEL SECURITY;

-- customers
DO $tq$
BEGIN
    IF EXISTS (SELECT FROM pg_attrdef d JOIN pg_attribute a
                   ON a.attrelid = d.adrelid AND a.attnum = d.adnum
               WHERE d.adrelid = 'customers'::regclass AND a.attname = 'tenant_id'
               AND pg_get_expr(d.adbin, d.adrelid) LIKE '%current_setting(''tenant_query.tenant''%') THEN
        ALTER TABLE customers ALTER COLUMN tenant_id DROP DEFAULT;
    END IF;
END
$tq$;
DROP POLICY IF EXISTS tenant_query_isolation ON customers;
ALTER TABLE customers NO FORCE ROW LEVEL SECURITY;
ALTER TABLE customers DISABLE ROW LEVEL SECURITY;

