#!/bin/sh
# Regenerates the allowlists of built-in functions that are generated from a database's
# catalogue: tenant-query-core/data/functions/postgres.txt from PostgreSQL 15's pg_proc
# (scripts/function-lists/postgres.sql) and sqlite.txt from the SQLite that sqlx bundles
# (scripts/function-lists/sqlite.sql). mysql.txt is curated by hand.
#
# The test `function_lists` of tenant-query-tests runs the same SQL and fails when a committed
# list differs; with UPDATE_FUNCTION_LISTS=1 it rewrites the list instead. PostgreSQL must be
# reachable (TQ_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test). Review the
# diff: a name that appears is a function every tenant-scoped statement may call.
set -eu
cd "$(dirname "$0")/.."
UPDATE_FUNCTION_LISTS=1 CI=true cargo test -p tenant-query-tests --test function_lists
git diff --stat -- tenant-query-core/data/functions
