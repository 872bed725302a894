#!/usr/bin/env bash
# The one command that checks everything: starts PostgreSQL and MariaDB when they are down,
# makes sure both have a `test` database, then runs rustfmt, clippy, the whole test suite and
# rustdoc, all in one debug build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_HOST=127.0.0.1
PG_PORT=5432
MY_HOST=127.0.0.1
MY_PORT=3306
WAIT_SECONDS=${TQ_DB_WAIT_SECONDS:-60}

log() { printf '==> %s\n' "$*"; }

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -U postgres; }
my_ready() { mariadb-admin --protocol=tcp -h "$MY_HOST" -P "$MY_PORT" -u root ping >/dev/null 2>&1; }

# wait_for NAME CHECK: polls CHECK once a second for at most WAIT_SECONDS.
wait_for() {
    local name=$1 check=$2 i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        if "$check"; then
            log "$name accepts connections"
            return 0
        fi
        sleep 1
    done
    echo "error: $name did not accept connections within ${WAIT_SECONDS}s" >&2
    return 1
}

start_postgres() {
    if pg_ready; then
        return 0
    fi
    log "starting PostgreSQL"
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
}

start_mariadb() {
    if my_ready; then
        return 0
    fi
    log "starting MariaDB"
    mkdir -p /run/mysqld
    chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
}

# The tests use an external URL when one is given; only local servers are started here.
if [[ -z "${TQ_POSTGRES_URL:-}" ]]; then
    start_postgres
    wait_for PostgreSQL pg_ready
    if [[ -z "$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc \
        "SELECT 1 FROM pg_database WHERE datname = 'test'")" ]]; then
        log "creating PostgreSQL database test"
        psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE test"
    fi
fi
if [[ -z "${TQ_MYSQL_URL:-}" ]]; then
    start_mariadb
    wait_for MariaDB my_ready
    mariadb --protocol=tcp -h "$MY_HOST" -P "$MY_PORT" -u root -e "CREATE DATABASE IF NOT EXISTS test"
fi

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
log "cargo test"
cargo test --workspace
log "cargo doc"
RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps
log "all checks passed"
