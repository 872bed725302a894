#!/usr/bin/env python3
"""Extracts the SQL statements and manifests from the engine's tests into the fuzz corpora.

Every string literal of tenant-query-core/tests/*.rs and tenant-query-core/src/**/*.rs that
looks like a statement becomes a seed of the `rewrite` target, once per dialect (the first
byte picks the dialect); every literal that looks like a manifest becomes a seed of the
`manifest` target. Run from anywhere: `python3 fuzz/seed_corpora.py`.
"""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
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


def main():
    counts = {"rewrite": 0, "manifest": 0}
    for src in SOURCES:
        # Doc examples count too: drop the `///` and `//!` prefixes.
        text = re.sub(r"(?m)^\s*//[/!] ?", "", src.read_text())
        for lit in literals(text):
            if SQL_START.match(lit):
                for dialect in range(3):
                    counts["rewrite"] += write("rewrite", bytes([dialect]) + lit.encode())
            elif "dialect" in lit and "=" in lit:
                counts["manifest"] += write("manifest", lit.encode())
    print(f"new seeds: {counts}")


if __name__ == "__main__":
    main()
