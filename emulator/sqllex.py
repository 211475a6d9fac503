"""A small lexer for Databricks SQL text, and helpers to re-emit tokens for DuckDB or DataFusion.

Only what the emulator needs to find table references, named parameters and Databricks-only
syntax (backtick identifiers, backslash-escaped and double-quoted string literals); everything else
passes through token by token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_TOKEN_RE = re.compile(r"""
  (?P<ws>\s+)
| (?P<lcomment>--[^\n]*)
| (?P<bcomment>/\*.*?\*/)
| (?P<str>[rR]?'(?:[^'\\]|\\.)*')
| (?P<dstr>[rR]?"(?:[^"\\]|\\.)*")
| (?P<bq>`(?:[^`]|``)*`)
| (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:BD|bd|[LlSsYyDdFf])?(?![A-Za-z_]))
| (?P<op>::|<=>|<=|>=|<>|!=|==|\|\||->|=>)
| (?P<param>:[A-Za-z_][A-Za-z0-9_]*)
| (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
| (?P<punct>[(),.;*+\-/%<>=\[\]{}:|&^~!?@])
""", re.VERBOSE | re.DOTALL)


# Words that end a table reference in a FROM clause (and so cannot be its alias).
CLAUSE_WORDS = {
    "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "EXCEPT", "INTERSECT", "MINUS", "JOIN", "INNER",
    "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "ON", "USING", "QUALIFY", "WINDOW", "LATERAL", "SEMI", "ANTI",
    "OFFSET", "FETCH", "PIVOT", "UNPIVOT", "TABLESAMPLE", "WHEN", "THEN", "ELSE", "END", "SET", "VERSION",
    "TIMESTAMP", "FOR", "CLUSTER", "DISTRIBUTE", "SORT", "SELECT", "FROM", "VALUES", "AS", "WITH", "INTO",
    "MATCHED", "NOT", "AND", "OR",
}


@dataclass
class Tok:
    kind: str      # word | bq | str | dstr | num | op | param | punct
    text: str      # original text
    value: str     # identifier name, string content, param name, or upper-cased word
    pos: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.value in words

    def is_punct(self, *p: str) -> bool:
        return self.kind in ("punct", "op") and self.text in p

    @property
    def is_ident(self) -> bool:
        return self.kind in ("word", "bq")

    @property
    def ident(self) -> str:
        return self.text if self.kind == "word" else self.value


class LexError(Exception):
    def __init__(self, pos: int, near: str):
        super().__init__(f"Syntax error at or near '{near}'")
        self.pos = pos
        self.near = near


_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "0": "\0", "Z": "\x1a", "\\": "\\", "'": "'", '"': '"'}


def _unescape(body: str) -> str:
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n in "%_":
                out.append("\\" + n)
            elif n == "u" and i + 5 < len(body) + 0 and re.match(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            else:
                out.append(_ESC.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def tokenize(sql: str) -> list[Tok]:
    """Significant tokens (comments and whitespace dropped)."""
    toks: list[Tok] = []
    pos = 0
    n = len(sql)
    while pos < n:
        m = _TOKEN_RE.match(sql, pos)
        if not m:
            raise LexError(pos, sql[pos:pos + 10])
        kind = m.lastgroup or ""
        text = m.group()
        pos = m.end()
        if kind in ("ws", "lcomment", "bcomment"):
            continue
        if kind in ("str", "dstr"):
            raw = text[0] in "rR"
            body = text[2:-1] if raw else text[1:-1]
            value = body if raw else _unescape(body)
            kind = "str"
        elif kind == "bq":
            value = text[1:-1].replace("``", "`")
        elif kind == "word":
            value = text.upper()
        elif kind == "param":
            value = text[1:]
        else:
            value = text
        toks.append(Tok(kind, text, value, m.start()))
    # adjacent string literals concatenate (Spark)
    merged: list[Tok] = []
    for t in toks:
        if t.kind == "str" and merged and merged[-1].kind == "str":
            merged[-1] = Tok("str", merged[-1].text + t.text, merged[-1].value + t.value, merged[-1].pos)
        else:
            merged.append(t)
    return merged


def sql_string(s: str) -> str:
    """Standard SQL single-quoted literal (DuckDB / DataFusion)."""
    return "'" + s.replace("'", "''") + "'"


def sql_ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def split_top(toks: list[Tok], sep: str = ",") -> list[list[Tok]]:
    """Split on `sep` at paren depth 0."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.is_punct("(", "[", "{"):
            depth += 1
        elif t.is_punct(")", "]", "}"):
            depth -= 1
        if depth == 0 and t.is_punct(sep):
            parts.append([])
            continue
        parts[-1].append(t)
    return parts


def matching_paren(toks: list[Tok], i: int) -> int:
    """Index of the `)` closing the `(` at i."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].is_punct("("):
            depth += 1
        elif toks[j].is_punct(")"):
            depth -= 1
            if depth == 0:
                return j
    raise LexError(toks[i].pos, "(")


def parse_name(toks: list[Tok], i: int) -> tuple[list[str], int]:
    """Dotted identifier at i -> (parts, index after)."""
    parts = []
    if i >= len(toks) or not toks[i].is_ident:
        near = toks[i].text if i < len(toks) else "end of input"
        raise LexError(toks[i].pos if i < len(toks) else -1, near)
    parts.append(toks[i].ident)
    i += 1
    while i + 1 < len(toks) and toks[i].is_punct(".") and toks[i + 1].is_ident:
        parts.append(toks[i + 1].ident)
        i += 2
    return parts, i


def find_word(toks: list[Tok], word: str, start: int = 0, depth0: bool = True) -> Optional[int]:
    depth = 0
    for j in range(start, len(toks)):
        t = toks[j]
        if t.is_punct("("):
            depth += 1
        elif t.is_punct(")"):
            depth -= 1
        elif (depth == 0 or not depth0) and t.is_word(word):
            return j
    return None
