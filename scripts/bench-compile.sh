#!/usr/bin/env bash
# Compile-time cost of the macros: a crate with N `tenant_query!` calls against its twin with
# the same statements scoped by hand with `sqlx::query` (the SQL the engine writes, so both
# crates hold the same statements), built side by side.
#
#   scripts/bench-compile.sh [N] [RUNS]        # defaults: 300 calls, 5 runs
#   TQ_BENCH_TARGET=dir scripts/bench-compile.sh  # keep the built dependencies for the next run
#
# For each profile setting (none, and the `[profile.dev.package…]` lines README recommends)
# it builds both crates once to warm the target directory, then RUNS times, alternating which
# crate goes first: edits each crate's source and times an incremental debug build, then a
# release build. A run's ratio is the macro crate's time over its twin's in that run, so a
# drift of the machine cancels out; the minimum, median and maximum ratios are printed.
# Builds are offline, with the workspace's Cargo.lock, in a temporary directory it removes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
N=${1:-300}
RUNS=${2:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { printf '==> %s\n' "$*" >&2; }

log "building the tenant-query CLI, which writes the twin's SQL"
cargo build -q -p tenant-query-cli
CLI="$REPO/target/debug/tenant-query"
# The two crates' builds, apart from the repository's own.
export CARGO_TARGET_DIR=${TQ_BENCH_TARGET:-$WORK/target}

# The statement templates: a realistic mix, each made unique by its number.
template() {
    local i=$1
    case $((i % 10)) in
    0) echo "SELECT id, total FROM orders WHERE id = \$1 AND total > $i" ;;
    1) echo "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > \$1 AND o.id <> $i" ;;
    2) echo "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > $i) AND c.id > \$1" ;;
    3) echo "WITH big AS (SELECT id, customer_id FROM orders WHERE total > $i) SELECT c.name FROM big JOIN customers c ON c.id = big.customer_id WHERE c.id > \$1" ;;
    4) echo "SELECT o.id, count(i.line) FROM orders o LEFT JOIN order_items i ON i.order_id = o.id WHERE o.id > \$1 GROUP BY o.id HAVING count(i.line) > $i" ;;
    5) echo "INSERT INTO orders (id, customer_id, total) VALUES (\$1, $i, 0)" ;;
    6) echo "UPDATE orders SET total = total + $i WHERE id = \$1" ;;
    7) echo "DELETE FROM order_items WHERE order_id = \$1 AND line > $i" ;;
    8) echo "SELECT id FROM customers WHERE id = \$1 AND id IN (SELECT customer_id FROM orders WHERE total < $i)" ;;
    *) echo "UPDATE orders SET total = 0 FROM customers c WHERE c.id = orders.customer_id AND c.id = \$1 AND orders.total > $i" ;;
    esac
}

write_crates() {
    mkdir -p "$WORK/with-macros/src" "$WORK/hand-scoped/src"
    cat >"$WORK/with-macros/tenant-schema.toml" <<'EOF'
dialect = "postgres"
[tables.customers]
scope = "tenant"
[tables.orders]
scope = "tenant"
[tables.order_items]
scope = "tenant"
EOF
    for crate in with-macros hand-scoped; do
        cat >"$WORK/$crate/Cargo.toml" <<EOF
[package]
name = "$crate"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
sqlx = { version = "0.9", default-features = false, features = ["runtime-tokio", "macros", "postgres"] }
EOF
    done
    echo "tenant-query = { path = \"$REPO/tenant-query\" }" >>"$WORK/with-macros/Cargo.toml"
    local macros="$WORK/with-macros/src/lib.rs" twin="$WORK/hand-scoped/src/lib.rs" i sql scoped
    echo "use tenant_query::{tenant_query, TenantId};" >"$macros"
    : >"$twin"
    for ((i = 0; i < N; i++)); do
        sql=$(template "$i")
        scoped=$("$CLI" rewrite --manifest "$WORK/with-macros/tenant-schema.toml" -- "$sql")
        cat >>"$macros" <<EOF
pub async fn q$i(pool: &sqlx::PgPool, tenant: TenantId, a: i64) -> Result<u64, sqlx::Error> {
    Ok(tenant_query!(tenant, r#"$sql"#, a).execute(pool).await?.rows_affected())
}
EOF
        cat >>"$twin" <<EOF
pub async fn q$i(pool: &sqlx::PgPool, tenant: i64, a: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(r#"$scoped"#).bind(a).bind(tenant).execute(pool).await?.rows_affected())
}
EOF
    done
}

# write_workspace recommended|none
write_workspace() {
    cat >"$WORK/Cargo.toml" <<'EOF'
[workspace]
resolver = "2"
members = ["with-macros", "hand-scoped"]

[profile.dev.package."*"]
debug = false
EOF
    if [[ $1 == recommended ]]; then
        cat >>"$WORK/Cargo.toml" <<'EOF'

[profile.dev.package.tenant-query-macros]
opt-level = 3
[profile.dev.package.tenant-query-core]
opt-level = 3
[profile.dev.package.sqlparser]
opt-level = 3
EOF
    fi
}

# seconds CRATE [--release]: edits the crate (a new comment line at the end, the smallest edit
# that changes its source: rustc parses it again and runs every macro again, and incremental
# compilation reuses what it can) and times its rebuild.
seconds() {
    local crate=$1
    shift
    echo "// edit $(date +%s%N)" >>"$WORK/$crate/src/lib.rs"
    local start end
    start=$(date +%s.%N)
    (cd "$WORK" && cargo build -q --offline -p "$crate" "$@")
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

# stats: reads numbers, prints "min / median / max".
stats() {
    sort -g | awk '{ v[NR] = $1 } END { printf "%.3f / %.3f / %.3f", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

measure() {
    local setting=$1 mode=$2 run first second m h
    local -a flags=()
    [[ $mode == release ]] && flags=(--release)
    : >"$WORK/ratios" && : >"$WORK/macro" && : >"$WORK/twin"
    for ((run = 0; run < RUNS; run++)); do
        if ((run % 2 == 0)); then first=with-macros second=hand-scoped; else first=hand-scoped second=with-macros; fi
        declare -A t=()
        t[$first]=$(seconds "$first" "${flags[@]}")
        t[$second]=$(seconds "$second" "${flags[@]}")
        m=${t[with-macros]} h=${t[hand-scoped]}
        echo "$m" >>"$WORK/macro"
        echo "$h" >>"$WORK/twin"
        echo "$m / $h" | bc -l >>"$WORK/ratios"
    done
    printf '| %s | %s | %s s | %s s | %s |\n' "$setting" "$mode" \
        "$(stats <"$WORK/macro" | awk -F' / ' '{print $2}')" \
        "$(stats <"$WORK/twin" | awk -F' / ' '{print $2}')" \
        "$(stats <"$WORK/ratios")"
}

log "generating $N statements and their hand-scoped twins"
write_crates
cp "$REPO/Cargo.lock" "$WORK/Cargo.lock"
echo
echo "$N statements, $RUNS runs, $(date -u +%Y-%m-%d), $(nproc) cores, $(rustc --version)"
echo
echo "| profile settings | build | median, macros | median, hand-scoped | ratio min / median / max |"
echo "| --- | --- | ---: | ---: | --- |"
for setting in none recommended; do
    write_workspace "$setting"
    log "warming the target directory ($setting)"
    # Each crate on its own, as it is measured: built alone, the twin resolves sqlx's features
    # without tenant-query's, which is a build of its own.
    for crate in with-macros hand-scoped; do
        (cd "$WORK" && cargo build -q --offline -p "$crate" && cargo build -q --offline --release -p "$crate")
    done
    measure "$setting" "incremental debug"
    measure "$setting" release
done
