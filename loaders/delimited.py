"""Delimited text (CSV, TSV, semicolon- or space-separated) with units in the headers.

Headers like ``Temperature (K)`` or ``T [K]`` give each column its unit. Files written by
:meth:`reanalyze.table.UnitTable.to_csv` start with a ``# reanalyze-table: {...}`` line that
restores kinds, units, sample and metadata exactly. Other ``#`` lines are comments, before the
header or among the rows. For files without units, give them explicitly
(``units={"X1": "K"}``).

Every data line is accounted for: a row with more fields than the header is refused (naming
the line), a row with fewer is read with its missing fields empty and, when that leaves a
chosen column without a value, dropped and counted in the notes, and a last line that has
fewer fields than the others and no line end (a write cut short) is dropped with a note. In
files that are not comma-separated, decimal commas (``1,5``) are read as points, with a note;
a column mixing ``1,5`` and ``1.5`` is refused.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "mt.csv"
>>> _ = path.write_text("Temperature (K),Field (Oe),Moment (emu)\\n10,1000,0.05\\n11,1000,0.04\\n")
>>> table = DelimitedLoader().load(path)
>>> table.columns, table.unit("Field")
(['Temperature', 'Field', 'Moment'], 'Oe')
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from reanalyze.errors import ColumnError, DataError, OptionError
from reanalyze.loaders.base import Loader, build_table, read_text
from reanalyze.table import SCHEMA_KEY, TableSchema, UnitTable
from reanalyze.wording import option

__all__ = ["DelimitedLoader"]

#: Delimiters tried, in order of preference when they fit the file equally well; whitespace
#: (runs of spaces and tabs) is tried last.
_DELIMITERS = ("\t", ";", ",", "|")
_NAMES = {
    "\t": "tab",
    ";": "semicolon",
    ",": "comma",
    "|": "bar",
    " ": "whitespace",
    "": "one-column",
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_SAMPLE_ROWS = 20
#: Options passed on to :func:`~reanalyze.loaders.base.build_table`.
_OPTIONS = ("columns", "rename", "units", "kinds", "nonfinite", "duplicates")


def _split(line: str, sep: str) -> list[str]:
    """The stripped fields of one line; a quote never runs on into the next line.

    ``sep`` ``" "`` splits at runs of whitespace; ``""`` (a file of one column) not at all.
    """
    if sep == " ":
        return line.split()
    if '"' not in line or line.count('"') % 2:  # an unbalanced quote is plain text
        return [f.strip() for f in line.split(sep)] if sep else [line.strip()]
    quoted = csv.reader([line.strip()], delimiter=sep or "\x1f", skipinitialspace=True)
    return [f.strip() for f in next(quoted)]


def _merge_units(tokens: list[str]) -> list[str]:
    """Whitespace-separated headers: ``T (K)`` and ``M (emu g-1)`` are one name each."""
    merged: list[str] = []
    depth = 0
    for token in tokens:
        if merged and (depth > 0 or (token[:1] in "([" and merged[-1][-1:] not in ")]")):
            merged[-1] = f"{merged[-1]} {token}"
        else:
            merged.append(token)
        depth = max(
            0, depth + token.count("(") + token.count("[") - token.count(")") - token.count("]")
        )
    return merged


def _trim(fields: list[str], width: int) -> list[str]:
    """Drop empty fields beyond ``width`` (a trailing delimiter on every line)."""
    while len(fields) > width and not fields[-1]:
        fields.pop()
    return fields


def _header_fields(line: str, sep: str) -> list[str]:
    fields = _merge_units(line.split()) if sep == " " else _split(line, sep)
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _sniff_delimiter(header: str, sample: Sequence[str]) -> str:
    """The delimiter of a file, from its header line and first rows.

    Of the delimiters that split the header into two names or more, the one whose width the
    most sample rows share (ties: the first of tab, ``;``, ``,``, ``|``). Runs of whitespace
    are taken only when none does and the header holds no ``,``, ``;`` or ``|``, and either
    some row has as many fields as the header or a unit ends a name before the last
    (``Magnetic Field (Oe)`` alone is one column, ``H (Oe) Comment`` two). A header of one
    name is a file of one column: its delimiter is the one that ends the header
    (``"T (K),"``), or ``""`` (none).
    """
    scores: dict[str, tuple[int, int]] = {}
    spaced = not any(sep in header for sep in ",;|")  # whitespace-separated headers have none
    for sep in (*_DELIMITERS, " ") if spaced else _DELIMITERS:
        width = len(_header_fields(header, sep))
        if width >= 2:
            agree = sum(len(_trim(_split(line, sep), width)) == width for line in sample)
            scores[sep] = (agree, width)
    real = [sep for sep in _DELIMITERS if sep in scores]
    best = max(real, key=lambda sep: scores[sep], default=None)
    if best is not None:
        return best
    if " " in scores:
        names = _header_fields(header, " ")
        unit_inside = any(name[-1:] in ")]" for name in names[:-1])
        if scores[" "][0] > 0 or not sample or unit_inside:
            return " "
    return next((sep for sep in _DELIMITERS if sep in header), "")  # e.g. "T (K),"


@dataclass
class _Body:
    """The data lines of a delimited file, split into fields, with what was set aside."""

    headers: list[str]
    rows: list[list[str | None]]
    lines: list[int]
    short: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _parse_body(
    text: str, path: Path, delimiter: str | None
) -> tuple[list[str], _Body | None, str]:
    """Comments before the header, the parsed rows (None: no header), the delimiter."""
    lines = _LINE_BREAK.split(text)
    ends_with_break = lines[-1] == ""
    if ends_with_break:
        lines.pop()
    comments: list[str] = []
    start = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comments.append(stripped[1:].strip())
            continue
        start = i
        break
    if start is None:
        return comments, None, ","
    header_line = lines[start]
    if re.fullmatch(r"\s*\[\s*(header|data)\s*\][\s,;\t]*", header_line, re.IGNORECASE):
        raise DataError(
            f"{path}: not a delimited table (a [Header]/[Data] section: read it with "
            f"{option('loader', value='quantum_design')})"
        )
    if header_line.lstrip()[:1] in ("{", "[", "<"):
        raise DataError(f"{path}: not a delimited table (looks like JSON, XML or HTML)")
    rows_ahead = (
        line for line in lines[start + 1 :] if line.strip() and not line.lstrip().startswith("#")
    )
    sample = list(itertools.islice(rows_ahead, _SAMPLE_ROWS))
    if delimiter is not None:
        sep = delimiter
    elif path.suffix.lower() in (".tsv", ".tab"):
        sep = "\t"
    else:
        sep = _sniff_delimiter(header_line, sample)
    headers = _header_fields(header_line, sep)
    width = len(headers)
    headers = [h or f"Column {j + 1}" for j, h in enumerate(headers)]
    repeated = sorted(h for h, n in Counter(headers).items() if n > 1)
    if repeated:
        raise DataError(f"{path}: duplicate column header(s) {repeated}")

    body = _Body(headers=headers, rows=[], lines=[])
    split: list[tuple[int, list[str]]] = []
    comment_lines: list[int] = []
    header_repeats: list[int] = []
    empty_lines: list[int] = []
    for i, line in enumerate(lines[start + 1 :], start + 1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comment_lines.append(i + 1)
            continue
        if stripped == header_line.strip():
            header_repeats.append(i + 1)
            continue
        fields = _trim(_split(line, sep), width)
        if not any(fields):
            empty_lines.append(i + 1)  # delimiters only
            continue
        split.append((i, fields))
    if comment_lines:
        body.notes.append(
            f"skipped {len(comment_lines)} comment line(s) among the rows "
            f"({_lines_text(comment_lines)})"
        )
    if header_repeats:
        body.notes.append(
            f"skipped {len(header_repeats)} repeat(s) of the header line "
            f"({_lines_text(header_repeats)})"
        )
    if empty_lines:
        body.notes.append(
            f"skipped {len(empty_lines)} row(s) with no values, only delimiters "
            f"({_lines_text(empty_lines)})"
        )
    if not split:
        return comments, body, sep

    counts = Counter(len(fields) for _, fields in split)
    last_index, last_fields = split[-1]
    others = Counter(counts)
    others[len(last_fields)] -= 1
    typical = max((n for n in others if others[n] > 0), key=lambda n: (others[n], n), default=width)
    if (
        not ends_with_break
        and last_index == len(lines) - 1
        and len(last_fields) < width
        and len(last_fields) < typical
    ):
        body.notes.append(
            f"dropped the last line, line {last_index + 1}: {len(last_fields)} of {width} "
            "fields and no line end (a truncated write)"
        )
        split.pop()
    if sep == " " and split and width not in counts:
        raise DataError(
            f"{path}: the header has {width} names but the rows have "
            f"{max(counts, key=lambda n: counts[n])} fields; names with spaces in a "
            "whitespace-separated file are ambiguous (give the delimiter or rename the headers)"
        )
    for i, fields in split:
        if len(fields) > width:
            hint = "" if sep == " " else "; a value holding the delimiter must be quoted"
            raise DataError(
                f"{path}: line {i + 1} has {len(fields)} fields but the header has {width} "
                f"({_NAMES.get(sep, repr(sep))}-separated{hint})"
            )
        row: list[str | None] = [f if f else None for f in fields]
        if len(fields) < width:
            body.short[len(body.rows)] = f"line {i + 1} has {len(fields)} of {width} fields"
            row += [None] * (width - len(fields))
        body.rows.append(row)
        body.lines.append(i + 1)
    return comments, body, sep


def _lines_text(lines: Sequence[int], limit: int = 5) -> str:
    shown = ", ".join(map(str, lines[:limit]))
    more = f", … ({len(lines)} in all)" if len(lines) > limit else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def _decimal_commas(frame: pd.DataFrame, lines: Sequence[int], path: Path) -> list[str]:
    """Read ``1,5`` as 1.5 in place; the columns where it was done. Mixed columns: error."""
    converted = []
    for column in frame.columns:
        cells = frame[column]
        if not cells.str.contains(",", regex=False, na=False).any():
            continue
        comma = cells.str.fullmatch(_DECIMAL_COMMA.pattern, na=False).to_numpy()
        if not comma.any():
            continue
        point = cells.str.fullmatch(_DECIMAL_POINT.pattern, na=False).to_numpy()
        if point.any():
            i, k = int(np.flatnonzero(comma)[0]), int(np.flatnonzero(point)[0])
            raise ColumnError(
                f"{path}: column {column!r} mixes decimal commas ({cells.iloc[i]!r}, line "
                f"{lines[i]}) and decimal points ({cells.iloc[k]!r}, line {lines[k]})"
            )
        frame.loc[comma, column] = cells[comma].str.replace(",", ".", regex=False)
        converted.append(str(column))
    return converted


class DelimitedLoader(Loader):
    """Delimited text tables: one header line (with units) and rows of numbers.

    Options (besides those of :class:`~reanalyze.loaders.base.LoadOptions`)
    -------------------------------------------------------------------------
    delimiter
        Field separator (one character, or ``" "`` for runs of whitespace); guessed from
        the file when not given.
    """

    name = "delimited"
    description = "Delimited text (CSV/TSV) with units in the headers"
    suffixes = (".csv", ".tsv", ".txt", ".tab")

    def load(self, path: Path, *, delimiter: str | None = None, **options: Any) -> UnitTable:
        """Read a delimited file into a :class:`~reanalyze.table.UnitTable`.

        Raises
        ------
        DataError
            Unreadable or empty file, no header or rows, a row with more fields than the
            header, or anything :func:`~reanalyze.loaders.base.build_table` refuses.
        """
        path = Path(path)
        unknown = sorted(k for k in options if k not in _OPTIONS)
        if unknown:
            raise OptionError(
                f"{path}: unknown option(s) {', '.join(unknown)} for the {self.name} loader "
                f"(known: delimiter, {', '.join(_OPTIONS)})"
            )
        if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
            raise DataError(f"{path}: delimiter must be one character, got {delimiter!r}")
        text = read_text(path)
        comments, body, sep = _parse_body(text, path, delimiter)
        if body is None:
            raise DataError(f"{path}: no header line and no data (only comments)")
        schema = self._stored_schema(comments, path)
        if not body.rows:
            raise DataError(f"{path}: header found but no data rows")
        cells = np.empty((len(body.rows), len(body.headers)), dtype=object)
        cells[:] = body.rows
        frame = pd.DataFrame(cells, columns=pd.Index(body.headers, dtype=object), dtype=object)
        unnamed_empty = [
            h
            for j, h in enumerate(body.headers)
            if h == f"Column {j + 1}" and frame[h].isna().all()
        ]
        if unnamed_empty:
            frame = frame.drop(columns=unnamed_empty)
        notes = list(body.notes)
        if sep != "," and "," in text:
            converted = _decimal_commas(frame, body.lines, path)
            if converted:
                notes.append(
                    "decimal commas read as points in " + ", ".join(repr(c) for c in converted)
                )
        if frame.shape[1] == 1 and pd.to_numeric(frame.iloc[:, 0], errors="coerce").isna().all():
            raise DataError(f"{path}: not a delimited table (one column of text)")
        rows = {"lines": body.lines, "short_rows": body.short, "notes": notes}
        if schema is not None:
            return self._load_stored(frame, schema, path, {**options, **rows})
        return build_table(frame, source=str(path), **options, **rows)

    @staticmethod
    def _stored_schema(comments: list[str], path: Path) -> TableSchema | None:
        for line in comments:
            if line.startswith(f"{SCHEMA_KEY}:"):
                try:
                    return TableSchema.model_validate(json.loads(line.split(":", 1)[1]))
                except (ValidationError, json.JSONDecodeError) as exc:
                    reason = " ".join(str(exc).split())
                    raise DataError(f"{path}: damaged {SCHEMA_KEY} line ({reason})") from None
        return None

    @staticmethod
    def _load_stored(
        frame: pd.DataFrame, schema: TableSchema, path: Path, options: dict[str, Any]
    ) -> UnitTable:
        headers = {
            f"{name} ({spec.unit})" if spec.unit and spec.unit != "dimensionless" else name: name
            for name, spec in schema.columns.items()
        }
        unknown = [c for c in frame.columns if c not in headers]
        if unknown:
            raise DataError(f"{path}: column(s) {unknown} are not in the file's {SCHEMA_KEY} line")
        frame = frame.rename(columns=headers)
        kinds = {n: s.kind for n, s in schema.columns.items()}
        units = {n: s.unit for n, s in schema.columns.items() if s.kind != "label"}
        table = build_table(
            frame,
            source=str(path),
            **{"units": units, "kinds": kinds, "columns": list(frame.columns), **options},
        )
        metadata = {**schema.metadata, "notes": table.metadata.get("notes", [])}
        metadata["source"] = str(path)
        return table.with_sample(schema.sample).with_metadata(**metadata)
