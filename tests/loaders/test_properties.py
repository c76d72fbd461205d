"""Property-based tests of the text loaders: what loads is what the file says, or it is refused.

Hypothesis writes delimited files (``,`` ``;`` tab ``|`` whitespace; decimal commas; quotes and
padding; UTF-8 with and without BOM, UTF-16, latin-1 and cp1252 with ``µ``/``°`` in the units;
``\\n``, ``\\r\\n`` and ``\\r`` line ends; comment, blank and repeated header lines; unit
spellings such as ``K``, ``kelvin``, ``Oe``, ``T``, ``emu``, ``emu/g``, ``emu g-1``) and
Quantum Design MultiVu files with a ``[Data]`` section, then damages some: short, long and
truncated rows, NaN/inf and empty cells, text, overflowing numbers, temperatures below absolute
zero, unknown units, unit-less columns named like a quantity, duplicate rows.

The oracle, for every file:

* if it loads, every value of the table equals the cell of the file it came from (the loaders
  keep the file's units; a decimal comma is a point), the table's rows are the file's rows in
  order less some, each left-out row is one that may be left out (a missing or non-finite
  value, a duplicate, the truncated last line), and the notes count every one of them;
* if it does not, the error is a :class:`~reanalyze.errors.ReanalyzeError` whose message is
  one line naming the file;
* a file with a refusable defect (a long row, text or an overflowing number in a numeric
  column, a temperature below 0 K, an unknown unit) is refused, and a file without one loads.

The number of examples is set by the ``HYPOTHESIS_PROFILE`` environment variable (``ci``, the
default: a few hundred in all; ``long``: 20× more) or exactly by ``REANALYZE_FUZZ_EXAMPLES``
(per test); ``benchmarks/bench_loader_fuzz.py`` runs these properties for longer and prints
the classes of files covered (:data:`COVERAGE`).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reanalyze.errors import ReanalyzeError
from reanalyze.load import load
from reanalyze.table import UnitTable
from reanalyze.units import format_unit, kind_from_name, parse_unit

# ------------------------------------------------------------------------ settings

_PROFILES = {"ci": 1, "long": 20}
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_SCALE = _PROFILES.get(_PROFILE, 1)
_EXACT = os.environ.get("REANALYZE_FUZZ_EXAMPLES")


def _settings(examples: int) -> settings:
    count = int(_EXACT) if _EXACT else examples * _SCALE
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


#: Classes of generated files and outcomes seen, for ``benchmarks/bench_loader_fuzz.py``.
COVERAGE: Counter[str] = Counter()


def covered(label: str) -> None:
    """Record a class of input or outcome (hypothesis statistics and :data:`COVERAGE`)."""
    event(label)
    COVERAGE[label] += 1


# ------------------------------------------------------------------------- columns

#: (name, kind) of the quantities, and the unit spellings each may be written with.
_QUANTITIES: dict[str, tuple[list[str], list[str]]] = {
    "temperature": (["T", "Temp", "Temperature", "T_sample"], ["K", "kelvin", "Kelvin", "mK"]),
    "celsius": (["T_C", "Bath"], ["°C", "degC", "celsius"]),
    "magnetic_field": (["H", "B", "Field", "Magnetic Field", "µ0H"], ["Oe", "T", "kOe", "mT", "G"]),
    "magnetic_moment": (["M", "Moment", "m"], ["emu", "µemu", "memu"]),
    "magnetization": (["M_g", "Magnetization"], ["emu/g", "emu g-1", "A*m**2/kg"]),
    "angle": (["theta", "Angle"], ["°", "deg", "degree"]),
    "resistance": (["R", "Resistance"], ["Ohms", "ohm", "Ω", "mOhm"]),
    "dimensionless": (["X1", "index", "Y2"], [""]),  # no unit in the header
    "label": (["Comment", "Note"], [""]),
}
_WORDS = ["warming", "cooling", "sweep", "ok", "paused"]
_ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]
_NEWLINES = ["\n", "\r\n", "\r"]
_SEPARATORS = [",", ";", "\t", "|", " "]


@dataclass
class Column:
    """One generated column: header parts and what it holds."""

    name: str
    unit: str  # "" when the header has none
    kind: str
    bracket: str = "()"

    @property
    def header(self) -> str:
        if not self.unit:
            return self.name
        return f"{self.name} {self.bracket[0]}{self.unit}{self.bracket[1]}"


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def columns(draw: st.DrawFn, encoding: str, sep: str) -> list[Column]:
    kinds = draw(
        st.lists(st.sampled_from(sorted(_QUANTITIES)), min_size=1, max_size=5, unique=True)
    )
    out = []
    for kind in kinds:
        names, units = _QUANTITIES[kind]
        usable = [u for u in units if _encodable(u, encoding) and not (sep == " " and " " in u)]
        named = [n for n in names if _encodable(n, encoding) and not (sep == " " and " " in n)]
        if not usable or not named:
            continue
        column = Column(
            name=draw(st.sampled_from(named)),
            unit=draw(st.sampled_from(usable)),
            kind="temperature" if kind == "celsius" else kind,
            bracket=draw(st.sampled_from(["()", "[]"])) if sep != " " else "()",
        )
        covered(f"unit {column.unit or '(none)'}")
        out.append(column)
    if not any(c.kind != "label" for c in out):
        out.append(Column("X1", "", "dimensionless"))
    return out


def _lowest(column: Column) -> float:
    """The lowest value a clean file holds in ``column`` (absolute zero for temperatures)."""
    if column.kind != "temperature":
        return -1e300
    return -273.15 if column.unit in ("°C", "degC", "celsius") else 0.0


@st.composite
def number_text(draw: st.DrawFn, column: Column) -> str:
    if column.kind == "temperature":
        value = draw(st.floats(min_value=_lowest(column), max_value=2000.0))
    else:
        value = draw(st.floats(allow_nan=False, allow_infinity=False))
    style = draw(st.sampled_from(["repr", "e", "f", "g", "int"]))
    if style == "e":
        text = f"{value:.6e}"
    elif style == "f":
        text = f"{value:.4f}" if abs(value) < 1e15 else repr(value)
    elif style == "g":
        text = f"{value:.17g}"
    elif style == "int" and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = repr(value)
    if column.kind == "temperature" and float(text) < _lowest(column):
        text = repr(value)  # rounding must not take it below absolute zero
    return text


# ------------------------------------------------------------------------- files


@dataclass
class Spec:
    """A generated file: its parts, the defects put in, and how it is written."""

    columns: list[Column]
    rows: list[list[str]]  # cells as written (before quoting/padding), one list per row
    sep: str
    encoding: str
    newline: str
    final_newline: bool
    decimal_comma: set[int] = field(default_factory=set)
    quote: bool = False
    pad: bool = False
    trailing: bool = False
    comments_before: int = 0
    extras: dict[int, str] = field(default_factory=dict)  # row index → line put before it
    defects: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _cell(text: str, spec: Spec, j: int | None) -> str:
    if j is not None and j in spec.decimal_comma:
        text = text.replace(".", ",")
    if spec.quote and text:
        text = f'"{text}"'
    if spec.pad and spec.sep not in (" ", "\t"):
        text = f" {text} "
    return text


def render(spec: Spec) -> tuple[bytes, list[tuple[int, list[str]]]]:
    """The file's bytes, and its data rows as (line number, cells as read) in order.

    ``spec.final_newline`` is set to whether the last row, as written, has a line end.
    """
    lines = [f"# comment {k}" for k in range(spec.comments_before)]
    lines.append(spec.sep.join(_cell(h, spec, None) for h in spec.headers))
    end = spec.sep if spec.trailing and spec.sep != " " else ""
    lines[-1] += end
    data: list[tuple[int, list[str]]] = []
    for i, row in enumerate(spec.rows):
        if i in spec.extras:
            extra = spec.extras[i]
            lines.append(lines[spec.comments_before] if extra == "header" else extra)
        lines.append(spec.sep.join(_cell(c, spec, j) for j, c in enumerate(row)) + end)
        if not lines[-1].strip():
            continue  # a blank line, not a row
        shown = [c.replace(",", ".") if j in spec.decimal_comma else c for j, c in enumerate(row)]
        data.append((len(lines), shown + ([""] if end else [])))
    text = spec.newline.join(lines) + (spec.newline if spec.final_newline else "")
    # whether the last row has a line end (a blank or white line after it gives it one)
    spec.final_newline = text.endswith(("\n", "\r")) or not data or data[-1][0] != len(lines)
    return text.encode(spec.encoding), data


@st.composite
def clean_specs(draw: st.DrawFn) -> Spec:
    encoding = draw(st.sampled_from(_ENCODINGS))
    sep = draw(st.sampled_from(_SEPARATORS))
    cols = draw(columns(encoding, sep))
    n_rows = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for _ in range(n_rows):
        row = []
        for column in cols:
            if column.kind == "label":
                row.append(draw(st.sampled_from(_WORDS if sep == " " else [*_WORDS, ""])))
            else:
                row.append(draw(number_text(column)))
        rows.append(row)
    if sep == " ":  # whitespace cannot hold an empty cell
        for row in rows:
            row[:] = [c or "x" for c in row]
    numeric = [j for j, c in enumerate(cols) if c.kind != "label"]
    comma = set(draw(st.lists(st.sampled_from(numeric), unique=True))) if sep != "," else set()
    extras = {}
    if n_rows > 1:
        for i in draw(st.lists(st.integers(1, n_rows - 1), max_size=3, unique=True)):
            extras[i] = draw(st.sampled_from(["# a comment", "", "   ", "header"]))
    spec = Spec(
        columns=cols,
        rows=rows,
        sep=sep,
        encoding=encoding,
        newline=draw(st.sampled_from(_NEWLINES)),
        final_newline=draw(st.booleans()),
        decimal_comma=comma,
        quote=sep in ",;" and draw(st.booleans()),
        pad=draw(st.booleans()),
        trailing=sep != " " and draw(st.booleans()),
        comments_before=draw(st.integers(0, 2)),
        extras=extras,
    )
    for label, on in [
        (f"delimiter {sep!r}", True),
        (f"encoding {encoding}", True),
        (f"newline {spec.newline!r}", True),
        ("no final newline", not spec.final_newline),
        ("decimal commas", bool(comma)),
        ("quoted cells", spec.quote),
        ("padded cells", spec.pad),
        ("trailing delimiters", spec.trailing),
        ("comments before the header", spec.comments_before > 0),
        ("lines among the rows", bool(extras)),
    ]:
        if on:
            covered(label)
    return spec


_DAMAGES = [
    "short row",
    "long row",
    "truncated last line",
    "nan cell",
    "empty cell",
    "text cell",
    "overflow",
    "below absolute zero",
    "unknown unit",
    "named but no unit",
    "duplicate row",
    "mixed decimal separators",
]


@st.composite
def damaged_specs(draw: st.DrawFn) -> Spec:
    spec = draw(clean_specs())
    damages = draw(st.lists(st.sampled_from(_DAMAGES), min_size=1, max_size=3))
    rows = [list(r) for r in spec.rows]
    cols = list(spec.columns)
    numeric = [j for j, c in enumerate(cols) if c.kind != "label"]
    any_row = st.integers(0, len(rows) - 1)
    for damage in damages:
        i = draw(any_row)
        j = draw(st.sampled_from(numeric))
        if damage == "short row" and len(cols) > 1:
            rows[i] = rows[i][: draw(st.integers(1, len(cols) - 1))]
        elif damage == "long row":
            rows[i] = [*rows[i], *["7"] * draw(st.integers(1, 2))]
        elif damage == "truncated last line":
            keep = draw(st.integers(1, len(cols)))
            last = rows[-1][:keep]
            if last and last[-1]:
                last[-1] = last[-1][: max(1, len(last[-1]) // 2)]
            rows[-1] = last
            spec.final_newline = False
        elif damage == "nan cell" and j < len(rows[i]):
            rows[i][j] = draw(st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity"]))
        elif damage == "empty cell" and j < len(rows[i]) and spec.sep != " ":
            rows[i][j] = ""
        elif damage == "text cell" and j < len(rows[i]) and cols[j].unit:
            rows[i][j] = draw(st.sampled_from(["abc", "1.2.3", "--5", "0x10"]))
        elif damage == "overflow" and j < len(rows[i]):
            rows[i][j] = draw(st.sampled_from(["1e400", "-9e999", "1e309"]))
        elif damage == "below absolute zero":
            temps = [k for k, c in enumerate(cols) if c.kind == "temperature"]
            if temps and temps[0] < len(rows[i]):
                rows[i][temps[0]] = repr(_lowest(cols[temps[0]]) - draw(st.floats(0.01, 1e3)))
        elif damage == "unknown unit":
            cols[j] = replace(cols[j], unit=draw(st.sampled_from(["blorps", "furlongz", "Oe2x"])))
        elif damage == "named but no unit":
            name = {"temperature": "Temperature", "magnetic_field": "Field"}.get(cols[j].kind)
            if name and all(c.name != name for c in cols):
                cols[j] = replace(cols[j], name=name, unit="")
        elif damage == "duplicate row":
            rows.insert(draw(st.integers(i + 1, len(rows))), list(rows[i]))
        elif damage == "mixed decimal separators" and spec.sep != ",":
            points = [k for k in numeric if k not in spec.decimal_comma and k < len(rows[i])]
            if not points:
                continue
            rows[i][points[0]] = "1,5"  # a decimal comma among decimal points (or integers)
        else:
            continue
        covered(f"damage: {damage}")
        spec.defects.append(damage)
    if spec.sep == " ":
        rows = [[c for c in r if c] for r in rows]
    spec.rows = rows
    spec.columns = cols
    spec.extras = {i: e for i, e in spec.extras.items() if i < len(rows)}
    return spec


# ------------------------------------------------------------------------ oracle


def _number(text: str | None) -> float:
    """What a cell says, as Python reads it: NaN for a missing or non-numeric cell."""
    if text is None or not text.strip():
        return math.nan
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return math.nan


#: Notes that count rows left out (the last line of a truncated write counts one).
_COUNTED = [
    re.compile(r"dropped (\d+) short row\(s\)"),
    re.compile(r"dropped (\d+) row\(s\) with NaN/inf"),
    re.compile(r"dropped (\d+) exact duplicate row\(s\)"),
    re.compile(r"skipped (\d+) row\(s\) with no values"),
]


def counted_in_notes(notes: Sequence[str]) -> int:
    """Rows the notes say were dropped or skipped."""
    total = 0
    for note in notes:
        if note.startswith("dropped the last line"):
            total += 1
        for pattern in _COUNTED:
            match = pattern.match(note)
            if match:
                total += int(match.group(1))
    return total


def _typical(lengths: Sequence[int], width: int) -> int:
    counts = Counter(lengths)
    return max(counts, key=lambda n: (counts[n], n)) if counts else width


def _truncated(spec: Spec, data: list[tuple[int, list[str]]]) -> bool:
    """The rule for a write cut short: no line end, fewer fields than header and others."""
    if spec.final_newline or not data or not any(c.strip() for c in data[-1][1]):
        return False  # (a last line of delimiters only is skipped as a row with no values)
    width = len(spec.columns)
    last = len(_trimmed(data[-1][1], width))
    others = [len(_trimmed(cells, width)) for _, cells in data[:-1]]
    return last < width and last < _typical(others, width)


def _trimmed(cells: list[str], width: int) -> list[str]:
    cells = list(cells)
    while len(cells) > width and not cells[-1]:
        cells.pop()
    return cells


_COMMA_NUMBER = re.compile(r"[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?")
_POINT_NUMBER = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")


_AMBIGUOUS = "whitespace rows never as wide as the header"


@dataclass
class Expectation:
    """What the oracle knows before loading."""

    must_refuse: list[str]
    rows: list[tuple[int, list[str | None]]]  # the rows the table may come from, padded
    kept_columns: list[int]  # columns holding values (the others are left out)
    labels: set[int]  # kept columns of text
    truncated: bool

    def wanted(self, cells: Sequence[str | None]) -> tuple[Any, ...]:
        """A row as the table must hold it: numbers, or text for label columns."""
        return tuple(
            (cells[j] or "") if j in self.labels else _number(cells[j]) for j in self.kept_columns
        )

    def complete(self, cells: Sequence[str | None]) -> bool:
        """Whether the row has numbers in the kept columns, every one finite."""
        numeric = [j for j in self.kept_columns if j not in self.labels]
        return bool(numeric) and all(math.isfinite(_number(cells[j])) for j in numeric)


def expect(spec: Spec, data: list[tuple[int, list[str]]]) -> Expectation:
    """The rules of the delimited loader, stated on the file as written."""
    width = len(spec.columns)
    if spec.sep == " " and data and all(len(_trimmed(c, width)) != width for _, c in data):
        as_read: list[tuple[int, list[str | None]]] = [(n, list(c)) for n, c in data]
        return Expectation([_AMBIGUOUS], as_read, [], set(), truncated=False)
    truncated = _truncated(spec, data)
    rows = data[:-1] if truncated else data
    refuse: list[str] = []
    padded: list[tuple[int, list[str | None]]] = []
    # One column, no separator in the header: a comma in a row is as much a decimal comma
    # (a European file) as a separator, so "0,7" may be read as 0.7 rather than a long row.
    comma_is_decimal = (
        width == 1 and spec.sep == "," and not (spec.trailing or spec.quote or spec.pad)
    )
    for line, fields in rows:
        fields = _trimmed(fields, width)
        if comma_is_decimal and len(fields) > 1 and _COMMA_NUMBER.fullmatch(",".join(fields)):
            fields = [",".join(fields)]
        if len(fields) > width:
            refuse.append(f"line {line} is long")
        padded.append((line, [*fields[:width], *[None] * (width - len(fields[:width]))]))
    kept = [j for j in range(width) if any((r[j] or "").strip() for _, r in padded)]
    labels = set()
    for j in kept:
        column = spec.columns[j]
        cells = [c for _, r in padded if (c := r[j]) is not None and c.strip()]
        if column.unit:
            try:
                parse_unit(column.unit)
            except ReanalyzeError:
                refuse.append(f"unknown unit {column.unit!r}")
                continue
        elif kind_from_name(column.name):
            refuse.append(f"{column.name!r} has no unit")
            continue
        texts = [c for c in cells if math.isnan(_number(c)) and c.strip().lower() != "nan"]
        if not column.unit and len(texts) == len(cells):
            labels.add(j)
            continue
        if texts:
            refuse.append(f"text in {column.header!r}")
        if any(math.isinf(_number(c)) and "inf" not in c.lower() for c in cells):
            refuse.append(f"overflow in {column.header!r}")
        if column.kind == "temperature" and any(_number(c) < _lowest(column) for c in cells):
            refuse.append(f"below absolute zero in {column.header!r}")
        if (spec.sep != "," or comma_is_decimal) and j not in spec.decimal_comma:
            commas = [c for c in cells if _COMMA_NUMBER.fullmatch(c.strip())]
            points = [c for c in cells if _POINT_NUMBER.fullmatch(c.strip())]
            if commas and points:
                refuse.append(f"mixed decimal separators in {column.header!r}")
    return Expectation(refuse, padded, kept, labels, truncated)


def check_table(table: Any, spec: Spec, expectation: Expectation, n_rows: int) -> None:
    """Every value equals its cell; left-out rows are allowed ones and all counted."""
    names = table.columns
    kept = expectation.kept_columns
    assert len(names) == len(kept), (names, [spec.headers[j] for j in kept])
    for name, j in zip(names, kept, strict=True):
        column = spec.columns[j]
        assert name in (column.name, column.header)
        if j in expectation.labels:
            assert table.kind(name) == "label"
        else:
            assert table.unit(name) == format_unit(column.unit or "dimensionless")
    got = [table.labels(n) if table.kind(n) == "label" else table.values(n) for n in names]
    table_rows = [tuple(col[i] for col in got) for i in range(len(table))]
    # the table's rows are the file's rows in order, less some that may be left out
    cursor = 0
    seen: list[tuple[Any, ...]] = []

    def may_leave_out(line: int, cells: Sequence[str | None]) -> None:
        wanted = expectation.wanted(cells)
        assert not expectation.complete(cells) or any(_same(wanted, s) for s in seen), (
            f"line {line} {cells} was left out but holds a complete, new row"
        )

    for row in table_rows:
        while True:
            assert cursor < len(expectation.rows), f"table row {row} is not a row of the file"
            line, cells = expectation.rows[cursor]
            cursor += 1
            if _same(row, expectation.wanted(cells)) and expectation.complete(cells):
                break
            may_leave_out(line, cells)
        assert not any(_same(row, s) for s in seen), f"duplicate row {row} kept"
        seen.append(row)
    for line, cells in expectation.rows[cursor:]:
        may_leave_out(line, cells)
    notes = table.metadata.get("notes", [])
    assert counted_in_notes(notes) == n_rows - len(table), notes
    if expectation.truncated:
        assert any(n.startswith("dropped the last line") for n in notes), notes


def _same(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return all(
        (x == y) or (isinstance(x, float) and isinstance(y, float) and x != x and y != y)
        for x, y in zip(a, b, strict=True)
    )


def load_bytes(content: bytes, name: str) -> UnitTable | ReanalyzeError:
    """``content`` written to a file ``name`` and loaded: the table, or the error that refused
    it, whose message must be one line naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            return load(path)
        except ReanalyzeError as exc:
            message = str(exc)
            assert "\n" not in message and "\r" not in message, message
            assert str(path) in message, message
            return exc


def check_file(spec: Spec) -> None:
    """Write ``spec``, load it, and hold the outcome to the oracle."""
    content, data = render(spec)
    expectation = expect(spec, data)
    table = load_bytes(content, "data.csv")
    if isinstance(table, ReanalyzeError):
        covered(f"refused: {type(table).__name__}")
        if not expectation.must_refuse:
            usable = [line for line, cells in expectation.rows if expectation.complete(cells)]
            assert not usable, f"refused a file without a defect: {table}"
        return
    if expectation.must_refuse == [_AMBIGUOUS]:
        # names without units, rows narrower than the header: read as one column named by
        # the whole header line, which is a fair reading too
        covered("whitespace header read as one column")
        assert len(table.columns) == 1
        assert all(len(cells) == 1 for _, cells in expectation.rows)
        wanted = [_number(cells[0]) for _, cells in expectation.rows if _ok(cells[0])]
        unique = [v for k, v in enumerate(wanted) if v not in wanted[:k]]
        np.testing.assert_array_equal(table.values(table.columns[0]), unique)
        return
    assert not expectation.must_refuse, f"loaded despite {expectation.must_refuse}"
    covered("loaded")
    check_table(table, spec, expectation, len(data))


def _ok(cell: str | None) -> bool:
    return cell is not None and math.isfinite(_number(cell))


# ----------------------------------------------------------------- the properties


@_settings(examples=150)
@given(clean_specs())
def test_clean_delimited_files_load_cell_for_cell(spec: Spec) -> None:
    covered("examples: clean delimited")
    _, data = render(spec)
    expectation = expect(spec, data)
    assert not expectation.must_refuse
    check_file(spec)


@_settings(examples=250)
@given(damaged_specs())
def test_damaged_delimited_files_load_cell_for_cell_or_are_refused(spec: Spec) -> None:
    covered("examples: damaged delimited")
    check_file(spec)


# ------------------------------------------------------------ Quantum Design files

_QD_COLUMNS = [
    "Comment",
    "Time Stamp (sec)",
    "Temperature (K)",
    "Magnetic Field (Oe)",
    "Moment (emu)",
    "M. Std. Err. (emu)",
    "Averaging Time (sec)",
]
_QD_CHOSEN = ["Temperature (K)", "Magnetic Field (Oe)", "Moment (emu)"]


@st.composite
def qd_files(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, list[str]]], list[str], bool]:
    """A MultiVu file: bytes, data rows (line, cells), refusal reasons, truncated last line."""
    sep = draw(st.sampled_from([",", "\t"]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    encoding = draw(st.sampled_from(["cp1252", "utf-8"]))
    comma = sep == "\t" and draw(st.booleans())
    header = [
        "[Header]",
        "; Quantum Design MPMS3 Data File",
        "BYAPP, MPMS3, 1.1.6",
        f"INFO,{draw(st.sampled_from(['ErCo2', 'Gd – arc-melted', '']))},SAMPLE_MATERIAL",
        "INFO,0.61,SAMPLE_MASS",
        "[Data]",
        sep.join(_QD_COLUMNS),
    ]
    n = draw(st.integers(1, 15))
    rows: list[list[str]] = []
    reasons: list[str] = []
    for i in range(n):
        t = draw(st.floats(0.0, 400.0))
        h = draw(st.floats(-7e4, 7e4))
        m = draw(st.floats(-10.0, 10.0))
        rows.append(["", f"{1000 + i}.5", repr(t), repr(h), repr(m), "1e-06", "1"])
    damages = draw(st.lists(st.sampled_from(_QD_DAMAGES), max_size=3))
    for damage in damages:
        i = draw(st.integers(0, len(rows) - 1))
        if damage == "comment row":  # MultiVu writes every field, most of them empty
            rows.insert(i, [draw(st.sampled_from(_WORDS)), *[""] * (len(_QD_COLUMNS) - 1)])
        elif damage == "short row":
            rows[i] = rows[i][: draw(st.integers(2, 6))]
        elif damage == "empty moment" and len(rows[i]) > 4:
            rows[i][4] = ""
        elif damage == "nan moment" and len(rows[i]) > 4:
            rows[i][4] = draw(st.sampled_from(["NaN", "INF", "-1.#IND", "1.#INF"]))
        elif damage == "duplicate row":
            rows.insert(i + 1, list(rows[i]))
        elif damage == "truncated last line":
            keep = draw(st.integers(2, len(_QD_COLUMNS) - 1))
            rows[-1] = rows[-1][:keep]
            rows[-1][-1] = rows[-1][-1][: max(1, len(rows[-1][-1]) // 2)]
        elif damage == "below absolute zero" and len(rows[i]) > 2:
            rows[i][2] = repr(-draw(st.floats(0.001, 100.0)))
        elif damage == "overflow" and len(rows[i]) > 4:
            rows[i][4] = "1e400"
        else:
            continue
        covered(f"QD damage: {damage}")
    width = len(_QD_COLUMNS)
    others = Counter(len(r) for r in rows[:-1])
    typical = max(others, key=lambda n: (others[n], n)) if others else width
    truncated = "truncated last line" in damages and len(rows[-1]) < min(width, typical)
    for row in rows[:-1] if truncated else rows:
        if len(row) > 2 and _number(row[2]) < 0:
            reasons.append(f"below absolute zero: {row[2]}")
        if any(len(row) > k and row[k] == "1e400" for k in (2, 3, 4)):
            reasons.append("overflow")
    lines = list(header)
    data = []
    for row in rows:
        cells = [c.replace(".", ",") if comma and k in (2, 3, 4) else c for k, c in enumerate(row)]
        lines.append(sep.join(cells))
        data.append((len(lines), row))
    text = newline.join(lines) + ("" if "truncated last line" in damages else newline)
    covered(f"QD delimiter {sep!r}, {encoding}, newline {newline!r}")
    if comma:
        covered("QD decimal commas")
    return text.encode(encoding), data, reasons, truncated


_QD_DAMAGES = [
    "comment row",
    "short row",
    "empty moment",
    "nan moment",
    "duplicate row",
    "truncated last line",
    "below absolute zero",
    "overflow",
]


@_settings(examples=100)
@given(qd_files())
def test_quantum_design_files_load_cell_for_cell_or_are_refused(
    case: tuple[bytes, list[tuple[int, list[str]]], list[str], bool],
) -> None:
    covered("examples: Quantum Design")
    content, data, reasons, truncated = case
    rows = data[:-1] if truncated else data
    # the loader takes temperature, field and moment; a column without any value is not
    # loaded (an empty temperature or field column is an error)
    present = [k for k in (2, 3, 4) if any(len(c) > k and c[k].strip() for _, c in rows)]

    def complete(cells: list[str]) -> bool:
        return all(math.isfinite(_qd_number(cells, k)) for k in present)

    table = load_bytes(content, "scan.dat")
    if isinstance(table, ReanalyzeError):
        covered(f"QD refused: {type(table).__name__}")
        usable = present[:2] == [2, 3] and any(complete(c) for _, c in rows)
        assert reasons or not usable, f"refused a file without a defect: {table}"
        return
    assert not reasons, f"loaded despite {reasons}"
    covered("QD loaded")
    names = {2: "Temperature", 3: "Magnetic Field", 4: "Moment"}
    assert table.columns == [names[k] for k in present]
    got = np.column_stack([table.values(n) for n in table.columns])
    cursor = 0
    seen: list[tuple[float, ...]] = []
    for row in map(tuple, got):
        while True:
            assert cursor < len(rows), f"table row {row} is not a row of the file"
            line, cells = rows[cursor]
            cursor += 1
            wanted = tuple(_qd_number(cells, k) for k in present)
            if _same(row, wanted) and complete(cells):
                break
            assert not complete(cells) or wanted in seen, (
                f"line {line} {cells} was left out but holds a complete, new row"
            )
        assert row not in seen, f"duplicate row {row} kept"
        seen.append(row)
    for line, cells in rows[cursor:]:
        wanted = tuple(_qd_number(cells, k) for k in present)
        assert not complete(cells) or wanted in seen, f"line {line} {cells} left out"
    notes = table.metadata["notes"]
    assert counted_in_notes(notes) == len(data) - len(table), notes
    if truncated:
        assert any(n.startswith("dropped the last line") for n in notes), notes


def _qd_number(cells: list[str], k: int) -> float:
    if k >= len(cells):
        return math.nan
    text = cells[k]
    if re.fullmatch(r"[+-]?1[.,]#(INF|IND)0*", text, re.IGNORECASE):
        return math.nan
    return _number(text)
