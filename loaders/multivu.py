"""The structure of a Quantum Design MultiVu ``.dat`` file: header lines, sections, rows.

:func:`parse_multivu` reads the text of a file into its :class:`Header` (``INFO`` fields,
comments, title lines) and a frame of the ``[Data]`` section's cells as strings, with the
file line of every row and notes on what was repaired (repeated header lines, later
``[Data]`` sections, a truncated last line, ragged rows). Which columns are physics and in
which units is :mod:`reanalyze.loaders.quantum_design`'s business; the cells' MultiVu
spellings (``1.#INF``, decimal commas, ``Oersted``, ``amps``) are normalized here.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reanalyze.errors import DataError, ReanalyzeError, UnitError
from reanalyze.headers import parse_header
from reanalyze.units import convert, parse_unit

__all__ = [
    "Header",
    "ParsedFile",
    "header_quantity",
    "multivu_unit",
    "normalize_cells",
    "parse_multivu",
    "quote_names",
]

_KEYWORD = re.compile(r"^\s*([A-Z][A-Z0-9_]*)\s*([,\t])(.*)$")


_SECTION = re.compile(r"^\s*\[\s*([A-Za-z ]+?)\s*\][\s,;\t]*$")  # Excel adds ",,,"


@dataclass
class Header:
    """What the lines before ``[Data]`` say."""

    fields: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)

    def get(self, *keys: str) -> str:
        """The first non-empty value among ``keys`` (case-insensitive), or ``""``."""
        upper = {k.upper(): v for k, v in self.fields.items()}
        for key in keys:
            value = upper.get(key.upper(), "").strip()
            if value:
                return value
        return ""


def _add_field(fields: dict[str, str], key: str, value: str) -> None:
    if not key:
        return
    if not fields.get(key):
        fields[key] = value
        return
    if value and value != fields[key]:
        n = 2
        while f"{key} #{n}" in fields:
            n += 1
        fields[f"{key} #{n}"] = value


def _unquote(text: str) -> str:
    """Strip spaces and the quotes a spreadsheet puts around a value with commas."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"').strip()
    return text


def _parse_header(lines: Sequence[str]) -> Header:
    header = Header()
    for line in lines:
        text = line.strip()
        if not text or _SECTION.match(text):
            continue
        if text.startswith(";"):
            header.comments.append(text.lstrip(";").strip())
            continue
        match = _KEYWORD.match(text)
        if not match:
            header.titles.append(text)
            continue
        keyword, sep, rest = match.groups()
        rest = rest.strip().rstrip(sep).strip()
        if keyword == "INFO":
            value, found, key = rest.rpartition(sep)
            if not found:
                value, key = "", rest
            _add_field(header.fields, _unquote(key), _unquote(value))
        elif keyword in ("DATATYPE", "FIELDGROUP", "STARTUPAXIS"):
            continue  # plotting hints of MultiVu
        else:
            parts = [_unquote(p) for p in rest.split(sep)]
            _add_field(header.fields, keyword, ", ".join(p for p in parts if p))
    return header


def _split_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def _delimiter(header_line: str) -> str:
    tabs, commas = header_line.count("\t"), header_line.count(",")
    if tabs and tabs >= commas:
        return "\t"
    if commas:
        return ","
    if header_line.count(";"):
        return ";"
    return ","


def _is_blank(line: str, delimiter: str) -> bool:
    return not line.replace(delimiter, "").strip()


def _fix_rows(
    rows: list[list[str]], width: int, comment_index: int | None, notes: list[str]
) -> list[list[str]]:
    """Pad short rows; take surplus fields as commas in the comment, or drop empty ones."""
    merged = cut = 0
    fixed = []
    for row in rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        elif len(row) > width:
            extra = len(row) - width
            if comment_index is not None and row[comment_index].strip():
                end = comment_index + extra + 1
                row = [*row[:comment_index], ",".join(row[comment_index:end]), *row[end:]]
                merged += 1
            else:
                if any(cell.strip() for cell in row[width:]):
                    cut += 1
                row = row[:width]
        fixed.append(row)
    if merged:
        notes.append(
            f"{merged} row(s) had more fields than the header: the surplus was taken as "
            "commas inside the Comment"
        )
    if cut:
        notes.append(f"{cut} row(s) had more fields than the header: the surplus was ignored")
    return fixed


def _split_row(line: str, delimiter: str) -> list[str]:
    """One line's fields; a quote never runs on into the next line."""
    quotes = line.count('"')
    if not quotes or quotes % 2:  # an unbalanced quote is plain text, not quoting
        return line.split(delimiter)
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])


def _typical_width(lengths: Sequence[int], width: int) -> int:
    """The header's width, or the rows' usual one when they all end with extra delimiters."""
    typical = max(set(lengths), key=lambda n: (lengths.count(n), -n))
    return max(width, typical)


def _frame(
    rows_text: list[str], headers: list[str], delimiter: str, notes: list[str]
) -> pd.DataFrame:
    """The data lines as a DataFrame of stripped strings (NaN where empty).

    Columns beyond the header (rows ending in delimiters) are named ``Column N``.
    """
    comment = [h.lower() for h in headers]
    comment_index = comment.index("comment") if "comment" in comment else None
    frame: pd.DataFrame | None = None
    width = len(headers)
    if '"' not in "".join(rows_text):
        lengths = [line.count(delimiter) + 1 for line in rows_text]
        width = _typical_width(lengths, len(headers))
        if max(lengths) <= width:
            frame = pd.read_csv(
                io.StringIO("\n".join(rows_text)),
                sep=delimiter,
                header=None,
                names=list(range(width)),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                quoting=csv.QUOTE_NONE,
                engine="c",
            )
    if frame is None:
        rows = [_split_row(line, delimiter) for line in rows_text]
        width = _typical_width([len(row) for row in rows], len(headers))
        frame = pd.DataFrame(_fix_rows(rows, width, comment_index, notes), dtype=str)
    names = [*headers, *[f"Column {i + 1}" for i in range(len(headers), width)]]
    frame.columns = pd.Index(range(width))
    cleaned = {}
    for i in range(width):
        cells = frame[i].fillna("").astype(str).str.strip()
        cleaned[names[i]] = cells.mask(cells == "")
    return pd.DataFrame(cleaned)


def _unique_headers(raw: list[str], notes: list[str]) -> list[str]:
    """Give duplicate headers a ``#2`` before their unit, and empty ones a name."""
    seen: dict[str, int] = {}
    out = []
    renamed = []
    for i, text in enumerate(raw):
        head = text.strip()
        if not head:
            head = f"Column {i + 1}"
        if head in seen:
            seen[head] += 1
            parsed = parse_header(head)
            suffix = f" #{seen[head]}"
            new = (
                f"{parsed.name}{suffix} ({parsed.unit})"
                if parsed.unit is not None
                else head + suffix
            )
            renamed.append(f"{head!r} → {new!r}")
            head = new
        else:
            seen[head] = 1
        out.append(head)
    if renamed:
        notes.append(f"duplicate column headers renamed: {', '.join(renamed)}")
    return out


@dataclass
class ParsedFile:
    header: Header
    frame: pd.DataFrame
    notes: list[str]
    delimiter: str
    lines: list[int]  # the file line (1-based) of each row of the frame


def _section(line: str) -> str | None:
    """``"data"`` for a ``[Data]`` line, ``"header"`` for ``[Header]``, ... else None."""
    match = _SECTION.match(line)
    return match.group(1).strip().lower() if match else None


def parse_multivu(text: str, source: str) -> ParsedFile:
    lines = _split_lines(text)
    starts = [i for i, line in enumerate(lines) if _section(line) == "data"]
    if not starts:
        raise DataError(
            f"{source}: no [Data] section found (not a Quantum Design MultiVu .dat file?)"
        )
    start = starts[0]
    header = _parse_header(lines[:start])
    notes: list[str] = []
    body = lines[start + 1 :]
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    if first is None or _section(body[first]):
        raise DataError(f"{source}: the [Data] section has no column header line")
    header_line = body[first]
    delimiter = _delimiter(header_line)
    raw_headers = _split_row(header_line, delimiter)
    rows_text: list[str] = []
    rows_lines: list[int] = []
    state = "rows"  # or "header" (a later [Header] section) or "columns" (after [Data])
    sections = 1
    for number, line in enumerate(body[first + 1 :], start + first + 3):
        section = _section(line)
        if section:
            state = "columns" if section == "data" else "header"
            continue
        if state == "header" or _is_blank(line, delimiter):
            continue
        if state == "columns":  # header line of a later [Data] section
            if line.strip() != header_line.strip():
                notes.append(
                    "a later [Data] section has other columns: it and the rest of the file "
                    "were ignored"
                )
                break
            sections += 1
            state = "rows"
            continue
        if line.strip() == header_line.strip():
            continue  # the header line repeated
        rows_text.append(line)
        rows_lines.append(number)
    if rows_text and rows_lines[-1] == len(lines) and lines[-1] != "":
        _drop_truncated(rows_text, rows_lines, len(raw_headers), delimiter, notes)
    if sections > 1:
        notes.append(f"the file holds {sections} [Data] sections: their rows were joined")
    if not rows_text:
        raise DataError(f"{source}: the [Data] section has a header line but no data rows")
    headers = _unique_headers([h.strip() for h in raw_headers], notes)
    frame = _frame(rows_text, headers, delimiter, notes)
    unnamed = [
        h
        for i, h in enumerate(frame.columns)
        if i >= len(raw_headers) or not raw_headers[i].strip()
    ]
    empty_unnamed = [h for h in unnamed if frame[h].isna().all()]
    if empty_unnamed:
        frame = frame.drop(columns=empty_unnamed)
    return ParsedFile(
        header=header, frame=frame, notes=notes, delimiter=delimiter, lines=rows_lines
    )


def _drop_truncated(
    rows_text: list[str], rows_lines: list[int], width: int, delimiter: str, notes: list[str]
) -> None:
    """Drop the file's last line when it has no line end and fewer fields than the others.

    That is a write cut short (the instrument stopped, the disk filled): its last number may
    be cut too, e.g. ``0.06`` of ``0.0612``.
    """
    lengths = Counter(len(_split_row(line, delimiter)) for line in rows_text[:-1])
    typical = max(lengths, key=lambda n: (lengths[n], n), default=width)
    fields = len(_split_row(rows_text[-1], delimiter))
    if fields < width and fields < typical:
        notes.append(
            f"dropped the last line, line {rows_lines[-1]}: {fields} of {width} fields and no "
            "line end (a truncated write)"
        )
        rows_text.pop()
        rows_lines.pop()


# ------------------------------------------------------------------ cells and units


def quote_names(raws: Sequence[str]) -> str:
    return ", ".join(repr(r) for r in raws)


#: Unit spellings of MultiVu files that pint reads wrongly or not at all.
_QD_UNITS: dict[str, str] = {
    "code": "dimensionless",
    "C": "degC",  # 'Motor Temp. (C)': degrees Celsius, not coulomb
    "Torr": "torr",
    "amps": "A",
    "Amps": "A",
    "amp": "A",
    "Kelvin": "K",
    "kelvin": "K",
    "Oersted": "Oe",
    "oersted": "Oe",
}


_MSVC_NONFINITE = re.compile(r"^([+-]?)1[.,]#(INF|IND|QNAN|SNAN)0*$", re.IGNORECASE)


_DECIMAL_COMMA = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?"


_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"


_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-zµμ]*)\s*$")


def header_quantity(text: str, unit: str, kind: str) -> tuple[float | None, str]:
    """Parse ``'0.61'``, ``'12 mg'`` or ``'0,61'`` into a value in ``unit``; else a reason."""
    match = _QUANTITY.match(text)
    if not match:
        return None, "not a number"
    number, given = match.groups()
    note = ""
    if "," in number:
        number = number.replace(",", ".")
        note = " (decimal comma)"
    value = float(number)
    if given:
        try:
            value = float(convert(value, given.replace("μ", "µ"), unit, kind=kind))
        except ReanalyzeError:
            return None, f"unit {given!r} is not a {kind} unit"
    if not np.isfinite(value) or value <= 0:
        return None, "not a positive number"
    return value, note


def multivu_unit(unit: str) -> str | None:
    """A pint spelling for a MultiVu unit pint reads wrongly or not at all, else None.

    Besides the fixed spellings of ``_QD_UNITS``: ``º`` for ``°``, prefixed ohms
    (``mOhm``), and hyphens as products (``Ohm-cm``, ``mJ/mol-K`` → ``mJ/(mol*K)``).
    """
    text = unit.strip()
    if text in _QD_UNITS:
        return _QD_UNITS[text]
    try:
        parse_unit(text)
        return None
    except UnitError:
        pass
    fixed = text.replace("º", "°")
    fixed = re.sub(r"(?<=[A-Za-zµμ])Ohms?\b", "ohm", fixed)
    fixed = re.sub(r"\bOhms?\b", "ohm", fixed)
    numerator, *denominators = fixed.split("/")
    fixed = "/".join(
        [
            numerator.replace("-", "*"),
            *[f"({d.replace('-', '*')})" if "-" in d else d for d in denominators],
        ]
    )
    try:
        parse_unit(fixed)
    except UnitError:
        return None
    return fixed


def _msvc(cell: str) -> str:
    match = _MSVC_NONFINITE.match(cell)
    if not match:
        return cell
    return f"{match.group(1)}inf" if match.group(2).upper() == "INF" else "nan"


def normalize_cells(
    frame: pd.DataFrame, chosen: Sequence[str], delimiter: str, notes: list[str]
) -> pd.DataFrame:
    """Spell MSVC's ``1.#INF``/``-1.#IND`` as ``inf``/``nan`` in the chosen columns, and
    read decimal commas in files that are not comma-separated."""
    frame = frame.copy()
    decimal_comma = []
    for raw in chosen:
        cells = frame[raw]
        odd = cells.str.contains("#", regex=False, na=False)
        if odd.any():
            frame.loc[odd, raw] = cells[odd].map(_msvc)
        if delimiter != ",":
            comma = cells.str.fullmatch(_DECIMAL_COMMA, na=False)
            if comma.any():
                frame.loc[comma, raw] = cells[comma].str.replace(",", ".", regex=False)
                decimal_comma.append(raw)
    if decimal_comma:
        notes.append(f"decimal commas read as points in {quote_names(decimal_comma)}")
    return frame
