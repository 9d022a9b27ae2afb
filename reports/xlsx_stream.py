"""A workbook of large tables, written in bounded memory and fast.

openpyxl lays out the package: the sheets, their header row, column widths, frozen header and
auto-filter, the styles and the workbook parts. The data rows are then streamed into each sheet's
``<sheetData>`` as inline strings, one row of XML text at a time, while the package is copied into the
final file. openpyxl's write-only mode builds an object and runs its Python XML serialiser for every
cell: about 20 µs a cell, 20 s for a 10,000-resource estate and several minutes at 100,000 (issue 17).

The cells are what openpyxl's write-only mode writes for the same values (inline strings, numbers,
booleans), except that an empty string is left out (openpyxl writes an empty cell: both read back as
empty) and a control character, which XML 1.0 cannot hold and openpyxl refuses, is written as Excel's
``_xHHHH_`` escape.
"""

from __future__ import annotations

import io
import math
import queue
import re
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

#: rows of XML text gathered before a write to the compressed stream
_BATCH = 256
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Sheet:
    name: str
    columns: Sequence[str]
    #: the data rows, each a sequence of cell values in column order (str, int, float, bool; "" or None: empty),
    #: each its own (a batch of rows is held before it is written)
    rows: Iterable[Sequence[Any]]
    #: how many rows ``rows`` yields: the auto-filter covers them and is laid out before they are written
    count: int
    widths: Sequence[float] = ()


def write(path: Path, sheets: Sequence[Sheet]) -> Path:
    skeleton = _skeleton(sheets)
    with zipfile.ZipFile(io.BytesIO(skeleton)) as src:
        parts = _sheet_parts(src)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL) as dst:
            for info in src.infolist():
                data = src.read(info)
                sheet = next((s for s in sheets if parts.get(s.name) == info.filename), None)
                if sheet is None:
                    dst.writestr(info.filename, data)
                    continue
                head, end, tail = data.partition(b"</sheetData>")
                if not end:
                    raise ValueError(f"{info.filename}: no sheetData in the laid-out sheet")
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(head)
                    with _Compressing(fh) as rows:
                        written = _write_rows(rows, sheet)
                    fh.write(end + tail)
                if written != sheet.count:
                    raise ValueError(f"sheet {sheet.name}: {written} rows written, {sheet.count} announced")
    return path


class _Compressing:
    """A sheet's ``write`` (checksum, compression, file) done by a thread of its own while the next rows are
    made: zlib lets go of the interpreter lock, so the compression (a tenth of the workbook's time at 100,000
    resources) runs on another core. At most :data:`_QUEUED` batches wait (memory stays bounded); writes keep
    their order; an error writing is raised by the next ``write`` or on leaving the ``with`` block."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self._queue: queue.Queue[bytes | None] = queue.Queue(_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="xlsx-compress", daemon=True)

    def __enter__(self) -> _Compressing:
        self._thread.start()
        return self

    def _drain(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:  # after an error the rest is taken and dropped: no write waits forever
                try:
                    self._fh.write(data)
                except BaseException as error:  # noqa: BLE001 (raised again in the thread making the rows)
                    self._error = error

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and error is None:
            raise self._error


#: batches of rows made ahead of the compressing thread
_QUEUED = 4

#: zlib's fastest level: for these sheets about a third larger than the default level 6, in under a third of
#: the time (0.15 s against 0.5 s for the 60 MB of XML of a 10,000-resource estate)
_COMPRESS_LEVEL = 1


def _skeleton(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.append(list(sheet.columns))
        if sheet.count:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{sheet.count + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package, read from the workbook and its relationships."""
    workbook = ET.fromstring(package.read("xl/workbook.xml"))
    rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PACKAGE_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(f"{_REL}id")]
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[sheet.get("name")] = path
    return parts


def _write_rows(fh, sheet: Sheet) -> int:
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i) for i in range(1, len(sheet.columns) + 1)]
    batch: list[tuple[str, Sequence[Any]]] = []
    number = 1  # the header
    for number, values in enumerate(sheet.rows, start=2):  # noqa: B007 (the last number is the count)
        batch.append((str(number), values))
        if len(batch) >= _BATCH:
            fh.write(_rows_xml(letters, batch))
            batch.clear()
    fh.write(_rows_xml(letters, batch))
    return number - 1


#: the control characters XML 1.0 cannot hold, as UTF-8 bytes (a multi-byte character has no byte below 0x80)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _rows_xml(letters: list[str], rows: list[tuple[str, Sequence[Any]]]) -> bytes:
    """The rows' XML, encoded. Control characters are rare: a batch is looked at for them once, as bytes, and
    only a batch holding one is made again with each text's escaped (a row without any is the same either
    way); looking at each row's text for them took longer than making it."""
    data = "".join([_row(r, letters, values, escape_controls=False) for r, values in rows]).encode("utf-8")
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        data = "".join([_row(r, letters, values, escape_controls=True) for r, values in rows]).encode("utf-8")
    return data


def _row(r: str, letters: list[str], values: Sequence[Any], escape_controls: bool) -> str:
    cells = [f'<row r="{r}">']
    for letter, value in zip(letters, values, strict=False):
        if type(value) is str:  # nearly every cell: :func:`_text` inline (7 million cells at 100,000 resources)
            if not value:
                continue
            if "&" in value or "<" in value or ">" in value:
                value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            if escape_controls:
                value = _CONTROL.sub(_control_escape, value)
            if value[0].isspace() or value[-1].isspace():
                cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
            else:
                cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif value is None or value == "":
            continue
        elif isinstance(value, bool):
            cells.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
            cells.append(f'<c r="{letter}{r}" t="n"><v>{value!r}</v></c>')
        else:
            cells.append(f'<c r="{letter}{r}" t="inlineStr"><is>{_text(str(value), escape_controls)}</is></c>')
    cells.append("</row>")
    return "".join(cells)


def _text(value: str, escape_controls: bool) -> str:
    """``<t>`` of a text: markup escaped, control characters as ``_xHHHH_``, edge whitespace kept."""
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if escape_controls:
        value = _CONTROL.sub(_control_escape, value)
    if value[0].isspace() or value[-1].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _control_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"
