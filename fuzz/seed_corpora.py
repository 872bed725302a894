#!/usr/bin/env python3
"""Extracts the SQL statements and manifests of the engine's cases into the fuzz corpora.

Every statement of the engine cases (tenant-query-core/tests/cases/*.toml, the data the
snapshot tests run) and every string literal of tenant-query-core/tests/*.rs and
tenant-query-core/src/**/*.rs that looks like a statement becomes a seed of the `rewrite`
target, once per dialect (the first byte picks the dialect); the cases' manifests and every
literal that looks like a manifest become seeds of the `manifest` target. Run from anywhere:
`python3 fuzz/seed_corpora.py` (Python 3.11 or later, for tomllib).
"""
import hashlib
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
CASES = ROOT / "tenant-query-core" / "tests" / "cases"
SOURCES = sorted(
    list((ROOT / "tenant-query-core" / "tests").glob("**/*.rs"))
    + list((ROOT / "tenant-query-core" / "src").glob("**/*.rs"))
)
SQL_START = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|VALUES|TRUNCATE|DROP|CREATE|MERGE|REPLACE|TABLE)\b",
    re.IGNORECASE,
)
# "..." with Rust escapes, or r#"..."# raw strings.
LITERAL = re.compile(r'r(#+)"(.*?)"\1|"((?:[^"\\]|\\.)*)"', re.DOTALL)


def unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = s[i + 1] if i + 1 < len(s) else ""
        if n == "\n":  # line continuation: skip the newline and the indentation
            i += 2
            while i < len(s) and s[i] in " \t":
                i += 1
            continue
        if n == "u" and s[i + 2 : i + 3] == "{":
            end = s.index("}", i)
            out.append(chr(int(s[i + 3 : end], 16)))
            i = end + 1
            continue
        out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}.get(n, n))
        i += 2
    return "".join(out)


def literals(text: str):
    for m in LITERAL.finditer(text):
        yield m.group(2) if m.group(1) else unescape(m.group(3))


def write(target: str, data: bytes) -> bool:
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"seed-{hashlib.sha1(data).hexdigest()[:16]}"
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def case_data():
    """The statements and manifests of the engine cases."""
    statements, manifests = [], [(CASES / "tenant-schema.toml").read_text()]
    for path in sorted(CASES.glob("*.toml")):
        if path.name == "tenant-schema.toml":
            continue
        for case in tomllib.loads(path.read_text())["case"]:
            statements.append(case["sql"])
            if "manifest" in case:
                manifests.append(case["manifest"])
    return statements, manifests


def main():
    counts = {"rewrite": 0, "manifest": 0}

    def seed(lit):
        if SQL_START.match(lit):
            for dialect in range(3):
                counts["rewrite"] += write("rewrite", bytes([dialect]) + lit.encode())
        elif "dialect" in lit and "=" in lit:
            counts["manifest"] += write("manifest", lit.encode())

    statements, manifests = case_data()
    for sql in statements:
        # Every case statement, even one that starts with a comment or is not SQL at all.
        for dialect in range(3):
            counts["rewrite"] += write("rewrite", bytes([dialect]) + sql.encode())
    for manifest in manifests:
        counts["manifest"] += write("manifest", manifest.encode())
    for src in SOURCES:
        # Doc examples count too: drop the `///` and `//!` prefixes.
        seed_text = re.sub(r"(?m)^\s*//[/!] ?", "", src.read_text())
        for lit in literals(seed_text):
            seed(lit)
    print(f"new seeds: {counts}")


if __name__ == "__main__":
    main()
