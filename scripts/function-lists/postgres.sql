-- The built-in functions a tenant-scoped PostgreSQL statement may call without declaring them:
-- those that compute only from their arguments and the current row.
--
-- Output: one line per name, sorted; `name set-returning` when some overload returns a set
-- (and may stand in FROM). tenant-query-core/data/functions/postgres.txt is this output under
-- a header; the test `function_lists` of tenant-query-tests checks it against PostgreSQL 15.
WITH
-- Functions, aggregates and window functions of pg_catalog that are immutable or stable.
catalogue AS (
    SELECT p.oid, p.proname::text AS name, p.proretset
    FROM pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace
      AND p.prokind IN ('f', 'a', 'w')
      AND p.provolatile IN ('i', 's')
),
-- What is left out of them, by how it is used or what it reads.
left_out AS (
    -- Implementations of operators, types and index methods: called through syntax, never
    -- by name.
    SELECT oprcode AS oid FROM pg_operator
    UNION SELECT typinput FROM pg_type UNION SELECT typoutput FROM pg_type
    UNION SELECT typreceive FROM pg_type UNION SELECT typsend FROM pg_type
    UNION SELECT typmodin FROM pg_type UNION SELECT typmodout FROM pg_type
    UNION SELECT typanalyze FROM pg_type
    UNION SELECT amproc FROM pg_amproc
    UNION SELECT rngcanonical FROM pg_range UNION SELECT rngsubdiff FROM pg_range
    -- The steps of aggregates, which are called through the aggregate.
    UNION SELECT aggtransfn FROM pg_aggregate UNION SELECT aggfinalfn FROM pg_aggregate
    UNION SELECT aggcombinefn FROM pg_aggregate UNION SELECT aggserialfn FROM pg_aggregate
    UNION SELECT aggdeserialfn FROM pg_aggregate UNION SELECT aggmtransfn FROM pg_aggregate
    UNION SELECT aggminvtransfn FROM pg_aggregate UNION SELECT aggmfinalfn FROM pg_aggregate
    -- Functions of internal or handler types: not callable from SQL.
    UNION SELECT p.oid
    FROM pg_proc p, unnest(p.proargtypes::oid[] || p.prorettype) AS t(oid)
    WHERE t.oid IN ('internal'::regtype, 'cstring'::regtype, 'trigger'::regtype,
        'event_trigger'::regtype, 'language_handler'::regtype, 'fdw_handler'::regtype,
        'index_am_handler'::regtype, 'tsm_handler'::regtype, 'table_am_handler'::regtype)
    -- Functions of transaction ids, snapshots and WAL positions: they read server state
    -- (`age(xid)`, unlike `age(timestamp)`).
    UNION SELECT p.oid
    FROM pg_proc p, unnest(p.proargtypes::oid[] || p.prorettype) AS t(oid)
    WHERE t.oid IN ('xid'::regtype, 'xid8'::regtype, 'pg_snapshot'::regtype,
        'txid_snapshot'::regtype, 'pg_lsn'::regtype)
),
-- Names that read the catalogue, statistics, settings or the session, or read a table named
-- by a string or run SQL text: what other tenants hold or do could show through them.
reads_server_state AS (
    SELECT c.oid FROM catalogue c
    WHERE c.name ~ '^(pg_|has_|to_reg|txid_|_|fmgr_|inet_(client|server)_)'
       OR c.name ~ '_to_xml'
       OR c.name IN ('aclexplode', 'col_description', 'obj_description',
           'shobj_description', 'current_database', 'current_schema', 'current_schemas',
           'current_setting', 'current_user', 'session_user', 'getpgusername',
           'getdatabaseencoding', 'get_current_ts_config', 'format_type', 'mxid_age',
           'regclass', 'row_security_active', 'ts_debug', 'ts_parse', 'ts_token_type',
           'ts_stat', 'ts_rewrite', 'version', 'xid_age', 'acldefault', 'makeaclitem',
           'satisfies_hash_partition', 'postgresql_fdw_validator', 'ts_lexize', 'querytree',
           'nameconcatoid')
),
-- Implementations of operators that the manual also documents as functions.
documented_operator_functions(name) AS (
    VALUES ('array_append'), ('array_cat'), ('array_prepend'), ('starts_with')
),
-- Volatile functions reviewed one by one: they read the clock or a random source, nothing
-- stored.
reviewed_volatile(name) AS (
    VALUES ('clock_timestamp'), ('gen_random_uuid'), ('random'), ('timeofday')
),
-- SQL syntax that sqlparser reads as a function call but that has no pg_proc entry.
syntax(name) AS (
    VALUES ('array'), ('coalesce'), ('current_date'), ('current_time'), ('current_timestamp'),
        ('greatest'), ('grouping'), ('least'), ('localtime'), ('localtimestamp'), ('nullif'),
        ('row')
),
allowed AS (
    SELECT c.name, c.proretset FROM catalogue c
    WHERE c.oid NOT IN (SELECT oid FROM left_out WHERE oid <> 0)
      AND c.oid NOT IN (SELECT oid FROM reads_server_state)
    UNION ALL
    SELECT p.proname::text, p.proretset FROM pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace
      AND p.proname::text IN (SELECT name FROM reviewed_volatile
          UNION ALL SELECT name FROM documented_operator_functions)
    UNION ALL
    SELECT name, false FROM syntax
)
SELECT CASE WHEN bool_or(proretset) THEN name || ' set-returning' ELSE name END
FROM allowed
GROUP BY name
ORDER BY name COLLATE "C";
