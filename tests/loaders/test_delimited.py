"""Delimited text: units from headers or from the user, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reanalyze.errors import ColumnError, DataError, OptionError, UnitError
from reanalyze.loaders.delimited import DelimitedLoader

load = DelimitedLoader().load


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_units_from_parentheses_and_brackets(tmp_path: Path) -> None:
    path = write(tmp_path, "Temperature (K),B [T],Moment (emu)\n10,0.5,0.01\n11,0.5,0.02\n")
    table = load(path)
    assert table.columns == ["Temperature", "B", "Moment"]
    assert [table.kind(c) for c in table.columns] == [
        "temperature",
        "magnetic_field",
        "magnetic_moment",
    ]
    np.testing.assert_allclose(table.values("B", "Oe"), 5000.0)


def test_tab_separated_and_semicolon(tmp_path: Path) -> None:
    tsv = write(tmp_path, "T (K)\tR (Ohms)\n2.0\t0.1\n3.0\t0.2\n", "r.tsv")
    assert load(tsv).unit("R") == "ohm"
    semi = write(tmp_path, "T (K);R (ohm)\n2.0;0.1\n3.0;0.2\n", "r.txt")
    np.testing.assert_allclose(load(semi).values("R"), [0.1, 0.2])


def test_explicit_units_select_and_rename(tmp_path: Path) -> None:
    path = write(tmp_path, "X1,X2,Y,junk\n10,100,0.1,a\n11,100,0.2,b\n")
    table = load(
        path,
        columns=["X1", "X2", "Y"],
        units={"X1": "K", "X2": "Oe", "Y": "emu"},
        rename={"X1": "T", "X2": "H", "Y": "M"},
    )
    assert table.columns == ["T", "H", "M"]
    assert table.unit("H") == "Oe" and table.kind("M") == "magnetic_moment"


def test_no_units_is_said(tmp_path: Path) -> None:
    table = load(write(tmp_path, "a,b\n1,2\n3,4\n"))
    assert table.kind("a") == "dimensionless"
    assert any("no units" in note for note in table.metadata["notes"])


def test_nonfinite_rows_dropped_with_count_or_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu)\n1,0.1\n2,nan\n3,inf\n4,0.4\n5,\n")
    table = load(path)
    np.testing.assert_array_equal(table.values("T"), [1.0, 4.0])
    assert "dropped 3 row(s) with NaN/inf" in " ".join(table.metadata["notes"])
    with pytest.raises(DataError, match=r"3 row\(s\) with NaN/inf .*first at data row 2"):
        load(path, nonfinite="error")


def test_duplicate_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu)\n1,0.1\n1,0.1\n2,0.2\n")
    assert len(load(path)) == 2
    assert "dropped 1 exact duplicate" in " ".join(load(path).metadata["notes"])
    assert len(load(path, duplicates="keep")) == 3
    with pytest.raises(DataError, match=r"data\.csv: 1 duplicate row"):
        load(path, duplicates="error")


@pytest.mark.parametrize(
    ("content", "options", "error", "pattern"),
    [
        ("", {}, DataError, "file is empty"),
        ("# only a comment\n", {}, DataError, "only comments"),
        ("T (K),M (emu)\n", {}, DataError, "no data rows"),
        (
            "T (K),M (emu)\n1,abc\n",
            {},
            ColumnError,
            "column 'M \\(emu\\)' holds non-numeric value 'abc' \\(data row 1\\)",
        ),
        ("T (K),M (emu)\n1,2\n", {"columns": ["Q"]}, ColumnError, "unknown column 'Q'"),
        ("T (K),M (blorps)\n1,2\n", {"columns": ["M"]}, UnitError, "unknown unit 'blorps'"),
        (
            "Magnetic Field (K),M (emu)\n1,2\n",
            {},
            UnitError,
            "unit 'K' is temperature, but the name says magnetic field",
        ),
        (
            "T,H\n1,2\n",
            {"units": {"H": "K"}, "kinds": {"H": "magnetic_field"}},
            UnitError,
            "wrong dimension for magnetic_field",
        ),
        ("T,T\n1,2\n", {}, DataError, "duplicate column header"),
        ('{"not": "a table"}\n', {}, DataError, "not a delimited table"),
    ],
)
def test_bad_input(tmp_path: Path, content: str, options: dict, error: type, pattern: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(error, match=pattern) as info:
        load(path, **options)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value) or "unknown column" in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "absent.csv")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataError, match="binary file"):
        load(binary)


def test_paper_dataset_loads_with_registry_units(seeded_cache: Path) -> None:
    from reanalyze.load import load_dataset

    table = load_dataset("erco2")
    assert len(table) == 808
    assert sorted(set(table.values("H", "T"))) == pytest.approx([0.01, 0.1, 0.5, 1, 2, 3, 4, 5])
    magnetization = table.normalize_by_mass("M").values("M")
    assert 100 < magnetization.max() < 130  # ≈ 0.0757 emu / 0.61 mg = 124 emu/g


# ------------------------------------------------ nothing dropped silently, every line counted


def refusal(path: Path, error: type[Exception], match: str | None = None, **options: Any) -> str:
    """The message of the ``error`` that loading ``path`` raises, checked to be one line
    naming the file."""
    with pytest.raises(error, match=match) as info:
        load(path, **options)
    text = str(info.value)
    assert "\n" not in text and "\r" not in text
    assert str(path) in text
    return text


@pytest.mark.parametrize(
    ("content", "column", "unit"),
    [
        ("T (blorps),H (Oe),M (emu)\n1,2,3\n4,5,6\n", "T (blorps)", "blorps"),
        ("T (K),H (Oe),M (emuu)\n1,2,3\n4,5,6\n", "M (emuu)", "emuu"),
        ("T [furlongz],M [emu]\n1,2\n", "T [furlongz]", "furlongz"),
        ("T (K);H (Oersteds!);M (emu)\n1;2;3\n", "H (Oersteds!)", "Oersteds!"),
        ("T(K)\tQ(zz)\n1\t2\n", "Q(zz)", "zz"),
    ],
)
def test_unknown_unit_in_a_header_is_refused_naming_column_and_unit(
    tmp_path: Path, content: str, column: str, unit: str
) -> None:
    path = write(tmp_path, content)
    text = refusal(path, UnitError)
    assert f"column {column!r}" in text and f"unknown unit {unit!r}" in text
    assert "give it with units={" in text


@pytest.mark.parametrize(
    ("content", "bare"),
    [
        ("T (K),H,M (emu)\n1,2,3\n4,5,6\n", ["H"]),
        ("H,T (K),M (emu)\n2,1,3\n5,4,6\n", ["H"]),
        ("T (K);X;Y;M (emu)\n1;7;8;3\n4;9;10;6\n", ["X", "Y"]),
        ("T [K]\tindex\n1\t0\n4\t1\n", ["index"]),
    ],
)
def test_column_without_unit_is_kept_as_dimensionless_with_a_note(
    tmp_path: Path, content: str, bare: list[str]
) -> None:
    path = write(tmp_path, content)
    table = load(path)
    lines = content.splitlines()
    sep = next(s for s in ",;\t" if s in lines[0])
    headers = lines[0].split(sep)
    assert len(table.columns) == len(headers)  # no column left out
    for k, header in enumerate(headers):
        name = table.columns[k]
        expected = [float(line.split(sep)[k]) for line in lines[1:]]
        np.testing.assert_array_equal(table.values(name), expected)
        if header in bare:
            assert name == header and table.kind(name) == "dimensionless"
    note = " ".join(table.metadata["notes"])
    assert "without a unit kept as dimensionless" in note
    assert all(repr(b) in note for b in bare)


def test_text_column_without_unit_is_kept_as_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu),Comment\n1,2,warming\n3,4,\n5,6,cooling\n")
    table = load(path)
    assert table.columns == ["T", "M", "Comment"]
    assert table.labels("Comment") == ["warming", "", "cooling"]
    assert "hold text: kept as labels: 'Comment'" in " ".join(table.metadata["notes"])


@pytest.mark.parametrize(
    ("header", "says"),
    [("T (K),Field,M (emu)", "magnetic field"), ("Temperature,M (emu)", "temperature")],
)
def test_unit_less_column_whose_name_says_a_kind_is_refused(
    tmp_path: Path, header: str, says: str
) -> None:
    path = write(tmp_path, f"{header}\n" + ",".join(["1"] * header.count(",")) + ",2\n")
    assert f"has no unit, but the name says {says}" in refusal(path, UnitError)


def test_empty_and_unnamed_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),X (Oe),,M (emu),\n1,,,3,\n4,,7,6,\n")
    table = load(path)
    assert table.columns == ["T", "Column 3", "M"]  # the unnamed column holding data is kept
    assert "left out 1 empty column(s): 'X (Oe)'" in " ".join(table.metadata["notes"])


def test_short_rows_are_counted_apart_from_nan_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),H (Oe),M (emu)\n1,2,3\n4,5,6\n7,8\n9,10,nan\n11,12,13\n")
    table = load(path)
    np.testing.assert_array_equal(table.values("T"), [1, 4, 11])
    notes = table.metadata["notes"]
    assert "dropped 1 short row(s) (line 4 has 2 of 3 fields)" in notes
    assert "dropped 1 row(s) with NaN/inf in the chosen columns (line 5)" in notes
    refusal(path, DataError, r"line 4 has 2 of 3 fields", nonfinite="error")


def test_short_row_missing_only_a_text_field_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu),Comment\n1,2,a\n3,4\n5,6,b\n")
    table = load(path)
    assert len(table) == 3 and table.labels("Comment") == ["a", "", "b"]
    assert (
        "1 short row(s) kept, their missing fields read as empty (line 3 has 2 of 3 fields)"
        in (table.metadata["notes"])
    )


@pytest.mark.parametrize(
    ("content", "line", "fields"),
    [
        ("T (K),H (Oe),M (emu)\n1,2,3,4\n5,6,7,8\n", 2, 4),  # pandas took T as the index
        ("T (K),H (Oe),M (emu)\n1,2,3\n4,5,6,7\n", 3, 4),
        ("T (K);M (emu)\n1;2\n3;4;5;6\n", 3, 4),
        ("T (K)\tM (emu)\n1\t2\t3\n", 2, 3),
        ("T(K) M(emu)\n1 2\n3 4 5\n", 3, 3),
        ("T (K),M (emu)\n1,2\n3,4,,5\n", 3, 4),
    ],
)
def test_long_rows_are_refused_naming_the_line(
    tmp_path: Path, content: str, line: int, fields: int
) -> None:
    path = write(tmp_path, content)
    assert f"line {line} has {fields} fields but the header has" in refusal(path, DataError)


def test_trailing_delimiters_are_not_fields(tmp_path: Path) -> None:
    table = load(write(tmp_path, "T (K),M (emu),\n1,2,\n3,4,,\n"))
    assert table.columns == ["T", "M"] and len(table) == 2
    assert table.metadata["notes"] == []


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_truncated_last_line_is_dropped_with_a_note(tmp_path: Path, newline: str, sep: str) -> None:
    rows = ["T (K)", "H (Oe)", "M (emu)"], ["1", "2", "0.0312"], ["4", "5", "0.0615"]
    lines = [sep.join(r) for r in rows]
    cut = newline.join([*lines, sep.join(["7", "8"])])  # no line end: the write stopped
    path = write(tmp_path, cut)
    table = load(path)
    np.testing.assert_array_equal(table.values("M"), [0.0312, 0.0615])
    assert table.metadata["notes"] == [
        "dropped the last line, line 4: 2 of 3 fields and no line end (a truncated write)"
    ]
    # with its line end, the same line is a short row, and said so
    path.write_bytes((cut + newline).encode())
    assert load(path).metadata["notes"] == ["dropped 1 short row(s) (line 4 has 2 of 3 fields)"]
    # a complete last line without a line end is data
    path.write_bytes(newline.join([*lines, sep.join(["7", "8", "0.09"])]).encode())
    np.testing.assert_array_equal(load(path).values("M"), [0.0312, 0.0615, 0.09])


@pytest.mark.parametrize(
    ("header", "cell", "shown"),
    [
        ("T (K)", "-3", "-3 K"),
        ("T (mK)", "-0.5", "-0.5 mK"),
        ("T (kelvin)", "-1e-9", "-1e-9 kelvin"),
        ("T (degC)", "-300", "-300 degC"),
        ("Temperature (°F)", "-500", "-500 °F"),
    ],
)
def test_temperature_below_absolute_zero_is_refused(
    tmp_path: Path, header: str, cell: str, shown: str
) -> None:
    path = write(tmp_path, f"{header},M (emu)\n1,0.1\n{cell},0.2\n")
    text = refusal(path, DataError)
    assert f"column {header!r}: {shown} is below absolute zero (line 3)" in text


def test_absolute_zero_and_celsius_above_it_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),T2 (degC),M (emu)\n0,-273.15,0.1\n-0.0,-20,0.2\n")
    np.testing.assert_array_equal(load(path).values("T2"), [-273.15, -20])


@pytest.mark.parametrize("cell", ["1e400", "-1e400", "9e999"])
def test_numbers_too_large_for_a_float_are_refused(tmp_path: Path, cell: str) -> None:
    path = write(tmp_path, f"T (K),M (emu)\n1,0.1\n2,{cell}\n")
    assert f"column 'M (emu)': {cell!r} is too large for a float (line 3)" in (
        refusal(path, DataError)
    )
    # an infinity written as such is a non-finite value, dropped and counted
    path.write_text("T (K),M (emu)\n1,0.1\n2,-inf\n")
    assert (
        "dropped 1 row(s) with NaN/inf in the chosen columns (line 3)"
        in (load(path).metadata["notes"])
    )


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"rename": {"T": "H"}}, r"rename T=H: there is a column 'H' already"),
        ({"rename": {"T (K)": "M"}}, r"rename T \(K\)=M: there is a column 'M' already"),
        ({"rename": {"T": "X", "H": "X"}}, r"rename T=X and H=X give two columns named 'X'"),
        ({"rename": {"T": "X", "T (K)": "Y"}}, r"column 'T' is renamed twice"),
        ({"rename": {"Q": "X"}}, r"cannot rename unknown column\(s\) \['Q'\]"),
        ({"columns": ["T", "T"]}, r"column 'T \(K\)' is chosen twice \('T' and 'T'\)"),
        ({"columns": ["T", "M", "T (K)"]}, r"column 'T \(K\)' is chosen twice"),
        ({"units": {"T": "K", "T (K)": "mK"}}, r"units names column 'T \(K\)' twice"),
    ],
)
def test_clashing_rename_and_repeated_columns_are_refused(
    tmp_path: Path, options: dict, pattern: str
) -> None:
    path = write(tmp_path, "T (K),H (Oe),M (emu)\n1,2,3\n4,5,6\n")
    refusal(path, ColumnError, pattern, **options)


def test_rename_may_swap_names(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),H (Oe),M (emu)\n1,2,3\n4,5,6\n")
    table = load(path, rename={"T": "H", "H": "T"})
    assert table.columns == ["H", "T", "M"]
    assert table.unit("H") == "K" and table.unit("T") == "Oe"


def test_decimal_commas_in_files_not_separated_by_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K);M (emu)\n1,5;2,25e-3\n3;-,5\n")
    table = load(path)
    np.testing.assert_array_equal(table.values("T"), [1.5, 3.0])
    np.testing.assert_array_equal(table.values("M"), [2.25e-3, -0.5])
    assert "decimal commas read as points in 'T (K)', 'M (emu)'" in table.metadata["notes"]
    mixed = write(tmp_path, "T (K);M (emu)\n1,5;2\n3.5;4\n", "mixed.csv")
    with pytest.raises(ColumnError, match=r"mixes decimal commas \('1,5', line 2\) and decimal"):
        load(mixed)


def test_comments_repeated_headers_and_blank_lines_among_rows(tmp_path: Path) -> None:
    text = "# made by hand\nT (K),M (emu)\n1,2\n\n# paused\nT (K),M (emu)\n3,4\n,\n"
    table = load(write(tmp_path, text))
    np.testing.assert_array_equal(table.values("T"), [1, 3])
    assert table.metadata["notes"] == [
        "skipped 1 comment line(s) among the rows (line 5)",
        "skipped 1 repeat(s) of the header line (line 6)",
        "skipped 1 row(s) with no values, only delimiters (line 8)",
    ]


def test_whitespace_separated_headers_with_units(tmp_path: Path) -> None:
    table = load(write(tmp_path, "T (K)   H (Oe)  M (emu)\n1  2  3\n4 5 6\n", "ws.txt"))
    assert table.columns == ["T", "H", "M"]
    np.testing.assert_array_equal(table.values("M"), [3, 6])
    path = write(tmp_path, "Magnetic Field (Oe) Moment (emu)\n1 2\n3 4\n", "ambiguous.txt")
    with pytest.raises(DataError, match="names with spaces in a whitespace-separated file"):
        load(path)


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu)\n1,2\n")
    with pytest.raises(OptionError, match=r"unknown option\(s\) moment_column for the delimited"):
        load(path, moment_column="M")


def test_wide_files_load_in_linear_time_without_warnings(tmp_path: Path) -> None:
    import time
    import warnings

    def wide(n_columns: int) -> Path:
        header = ",".join(f"c{j} (K)" for j in range(n_columns))
        rows = [",".join(str(i + j) for j in range(n_columns)) for i in range(20)]
        return write(tmp_path, "\n".join([header, *rows]) + "\n", f"wide{n_columns}.csv")

    path = wide(2000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        table = load(path)
        seconds = time.perf_counter() - start
    assert [str(w.message) for w in caught] == []
    assert len(table.columns) == 2000 and len(table) == 20
    np.testing.assert_array_equal(table.values("c1999"), np.arange(20) + 1999)
    assert seconds < 3.0, f"2 000 columns took {seconds:.1f} s"
    start = time.perf_counter()
    assert len(load(wide(20000)).columns) == 20000  # was: not done after 10 minutes
    assert time.perf_counter() - start < 30.0
