#!/usr/bin/env python3
"""Writes the files of tests/corpus that cannot be written by hand: the
10,000-deep nested expression and the file that is not UTF-8. Run once from
the repository root; the output is committed."""

from pathlib import Path

broken = Path(__file__).resolve().parent / "broken"

depth = 10_000
deep = (
    "// expect: E0008\n"
    "// A 10,000-deep parenthesized expression: the parser must stop at its depth\n"
    "// limit with one diagnostic, not overflow its stack.\n"
    "fn main() {\n"
    "    println(" + "(" * depth + "1" + ")" * depth + ")\n"
    "}\n"
)
(broken / "deep_nesting.ae").write_text(deep)

# "café" with the é in Latin-1 (a lone 0xE9 byte), as a legacy editor saves it.
(broken / "not_utf8.ae").write_bytes(b'fn main() {\n    println("caf\xe9")\n}\n')
(broken / "not_utf8.ae.expect").write_text("// expect: E0006\n")
