#!/usr/bin/env python3
"""Writes macro-tests/{postgres,mysql,sqlite}/tests/isolation.rs from body.rs.in and the heads.

The scenario is written once with PostgreSQL placeholders ($1, $2, ...); MySQL and SQLite get
positional `?`. Upserts differ per dialect. Run it after editing body.rs.in or a *.head file.
"""
import pathlib
import re
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
UPSERT = {
    "postgres": '"INSERT INTO customers (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name"',
    "sqlite": '"INSERT INTO customers (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name"',
    "mysql": '"INSERT INTO customers (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)"',
}

body = (HERE / "body.rs.in").read_text()
for db in ("postgres", "mysql", "sqlite"):
    text = body
    if db != "postgres":
        text = re.sub(r"\$[0-9]+", "?", text)
    text = text.replace("UPSERT_CUSTOMER", UPSERT[db])
    out = HERE / db / "tests" / "isolation.rs"
    out.write_text((HERE / f"{db}.head").read_text() + text)
    subprocess.run(["rustfmt", "--edition", "2021", str(out)], check=True)
    print("wrote", out.relative_to(HERE.parent))
