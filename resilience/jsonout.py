"""JSON documents written the way ``json.dumps(doc, indent=2)`` writes them, in bounded memory and fast.

``findings.json`` and ``inventory.json`` of an organisation run to hundreds of megabytes: the standard
library's indenting encoder is pure Python (81 s for 100,000 resources, issue 17) and builds the whole
text before writing it. Here each top-level list is written one item at a time, each item encoded by
orjson (C), and the result is byte for byte what ``json.dumps(doc, indent=2, default=str)`` gives for
the documents this tool writes: ASCII only (non-ASCII escaped as ``\\uXXXX``), the same indentation
and separators. One difference is accepted: a float that Python prints with an exponent (``1e-07``)
is written as orjson prints it (``1e-7``): the same number to every JSON reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import orjson

#: datetimes and dataclasses go to ``default=str`` as the standard library sends them (orjson would write
#: its own forms)
_OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)
_ITEMS_PER_WRITE = 1000  # one write per thousand items: a write per item cost a second at 100,000 resources
_NOT_PRINTABLE_ASCII = re.compile(rb"[^\x00-\x7e]+")  # what json's ensure_ascii escapes (DEL included)


def _escape(match: re.Match[bytes]) -> bytes:
    out = []
    for ch in match.group().decode("utf-8"):
        code = ord(ch)
        if code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:  # a UTF-16 surrogate pair, as json writes it
            code -= 0x10000
            out.append(f"\\u{0xd800 | (code >> 10):04x}\\u{0xdc00 | (code & 0x3ff):04x}")
    return "".join(out).encode("ascii")


def encode(value: Any, level: int = 0, sort_keys: bool = False) -> bytes:
    """``value`` as ``json.dumps(value, indent=2, default=str, sort_keys=sort_keys)`` would write it, nested
    ``level`` deep."""
    raw = orjson.dumps(value, default=str, option=_OPTIONS | orjson.OPT_SORT_KEYS if sort_keys else _OPTIONS)
    if not raw.isascii():
        raw = _NOT_PRINTABLE_ASCII.sub(_escape, raw)
    elif b"\x7f" in raw:
        raw = raw.replace(b"\x7f", b"\\u007f")
    return raw.replace(b"\n", b"\n" + b"  " * level) if level else raw


def _items(items: Sequence[Any]) -> bytes:
    """``items`` (a non-empty list) as the members of a top-level list of a document: each as
    ``encode(item, 2)``, joined by ``",\\n    "``. One orjson call for the whole batch, already at the depth
    of a top-level list's items (so no re-indenting pass over the bytes): a call per item, and re-indenting,
    cost seconds at 100,000 resources. The batch is encoded as ``{"": [items]}`` and the wrapping cut off."""
    raw = encode({"": items if isinstance(items, list) else list(items)})
    return raw[len(_BATCH_HEAD):-len(_BATCH_TAIL)]


_BATCH_HEAD = b'{\n  "": [\n    '
_BATCH_TAIL = b"\n  ]\n}"


def dump(doc: Mapping[str, Any], fp: IO[bytes]) -> None:
    """Write ``doc`` (an object) to the binary file ``fp``: every top-level list (or other sequence: one that
    makes its items when read) item by item."""
    if not doc:
        fp.write(b"{}")
        return
    fp.write(b"{")
    for i, (key, value) in enumerate(doc.items()):
        fp.write(b"," if i else b"")
        fp.write(b"\n  " + encode(str(key)) + b": ")
        if isinstance(value, Sequence) and not isinstance(value, list | tuple | str | bytes | bytearray):
            value = value if value else []  # an empty lazy sequence is written as an empty list
        if isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray) and value:
            fp.write(b"[\n    ")
            for start in range(0, len(value), _ITEMS_PER_WRITE):
                fp.write((b",\n    " if start else b"") + _items(value[start:start + _ITEMS_PER_WRITE]))
            fp.write(b"\n  ]")
        else:
            fp.write(encode(value, 1))
    fp.write(b"\n}")


def write(doc: Mapping[str, Any], path: Path) -> None:
    """``doc`` to ``path``, with the final newline the reports end with."""
    with path.open("wb") as fp:
        dump(doc, fp)
        fp.write(b"\n")


def dumps(doc: Any) -> str:
    """The whole text (for the small documents hashed or compared in memory)."""
    if isinstance(doc, Mapping):
        import io

        buffer = io.BytesIO()
        dump(doc, buffer)
        return buffer.getvalue().decode("ascii")
    return encode(doc).decode("ascii")


__all__ = ["dump", "dumps", "encode", "write"]
