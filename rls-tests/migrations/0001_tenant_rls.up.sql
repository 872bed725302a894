-- Row-level security for the tenant-scoped tables of the manifest, written by
-- `tenant-query rls`: a second layer under the tenant_query! macros.
--
-- Apply it as the owner of the tables. Every scoped table shows and accepts only the rows of
-- the tenant set for the current transaction, which `tenant_query::rls::begin` sets:
--   SELECT set_config('tenant_query.tenant', '<tenant id>', true)
-- With no tenant set, a scoped table shows no row and accepts no write. FORCE makes the
-- owner subject to the policies too; superusers and BYPASSRLS roles are not.
--
-- The application role tq_rls_app is NOLOGIN and NOBYPASSRLS; log in as a member of it:
--   CREATE ROLE app_login LOGIN PASSWORD '…' NOBYPASSRLS IN ROLE tq_rls_app;

DO $tq$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tq_rls_app') THEN
        CREATE ROLE tq_rls_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'tq_rls_app' AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION 'the role % bypasses row-level security (SUPERUSER or BYPASSRLS)', 'tq_rls_app';
    END IF;
    IF EXISTS (SELECT FROM pg_class WHERE oid = ANY (ARRAY['customers', 'orders']::regclass[])
               AND pg_has_role('tq_rls_app', relowner, 'MEMBER')) THEN
        RAISE EXCEPTION 'the role % owns a tenant-scoped table: use a role that does not', 'tq_rls_app';
    END IF;
END
$tq$;

-- customers: rows of the tenant in tenant_id.
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_query_isolation ON customers
    USING (tenant_id = NULLIF(current_setting('tenant_query.tenant', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('tenant_query.tenant', true), '')::bigint);
DO $tq$
BEGIN
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attname = 'tenant_id'
               AND NOT atthasdef AND attidentity = '' AND attgenerated = '') THEN
        ALTER TABLE customers ALTER COLUMN tenant_id SET DEFAULT NULLIF(current_setting('tenant_query.tenant', true), '')::bigint;
    END IF;
END
$tq$;

-- orders: rows of the tenant in tenant_id.
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_query_isolation ON orders
    USING (tenant_id = NULLIF(current_setting('tenant_query.tenant', true), '')::bigint)
    WITH CHECK (tenant_id = NULLIF(current_setting('tenant_query.tenant', true), '')::bigint);
DO $tq$
BEGIN
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'tenant_id'
               AND NOT atthasdef AND attidentity = '' AND attgenerated = '') THEN
        ALTER TABLE orders ALTER COLUMN tenant_id SET DEFAULT NULLIF(current_setting('tenant_query.tenant', true), '')::bigint;
    END IF;
END
$tq$;

-- The application role's privileges: the schemas, the declared tables, their sequences.
DO $tq$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), 'tq_rls_app'); END $tq$;
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, orders, tenants TO tq_rls_app;
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
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', seq, 'tq_rls_app');
    END LOOP;
END
$tq$;

