#!/usr/bin/env bash
# What a new user's first `cargo build` of a crate that depends on tenant-query adds over the
# same crate on plain sqlx: two one-query crates, each built from an empty target directory
# (debug, offline, the workspace's Cargo.lock), with the wall time and the number of crates
# compiled. `cargo build --timings` reports are left in the printed directory when KEEP=1.
#
#   scripts/bench-cold-build.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
WORK=$(mktemp -d)
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

write_crate() {
    local name=$1 body=$2 extra=$3
    mkdir -p "$WORK/$name/src"
    cat >"$WORK/$name/Cargo.toml" <<EOF
[package]
name = "$name"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
sqlx = { version = "0.9", default-features = false, features = ["runtime-tokio", "macros", "postgres"] }
$extra

[workspace]
EOF
    echo "$body" >"$WORK/$name/src/lib.rs"
    printf 'dialect = "postgres"\n[tables.orders]\nscope = "tenant"\n' >"$WORK/$name/tenant-schema.toml"
    cp "$REPO/Cargo.lock" "$WORK/$name/Cargo.lock"
}

write_crate plain-sqlx 'pub async fn total(pool: &sqlx::PgPool, tenant: i64, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT total FROM orders WHERE id = $1 AND tenant_id = $2").bind(id).bind(tenant).fetch_optional(pool).await
}' ''
write_crate with-tenant-query 'use tenant_query::{tenant_query_scalar, TenantId};
pub async fn total(pool: &sqlx::PgPool, tenant: TenantId, id: i64) -> Result<Option<i64>, sqlx::Error> {
    tenant_query_scalar!(i64, tenant, "SELECT total FROM orders WHERE id = $1", id).fetch_optional(pool).await
}' "tenant-query = { path = \"$REPO/tenant-query\" }"

echo "| crate | wall time, cold debug build | crates compiled |"
echo "| --- | ---: | ---: |"
for name in plain-sqlx with-tenant-query; do
    start=$(date +%s.%N)
    compiled=$(cd "$WORK/$name" && cargo build --offline --timings 2>&1 | grep -c '^ *Compiling ')
    end=$(date +%s.%N)
    printf '| %s | %.1f s | %s |\n' "$name" "$(echo "$end - $start" | bc)" "$compiled"
done
[[ ${KEEP:-0} == 1 ]] && echo "timings reports: $WORK/*/target/cargo-timings/" >&2
exit 0
