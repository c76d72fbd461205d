"""A message tells the user to set an option in the words of the front end in use: a keyword
argument in a notebook, a flag on the command line, a GUI's phrase."""

from __future__ import annotations

import shlex
import threading

import pytest

from reanalyze.errors import UnitError
from reanalyze.load import load
from reanalyze.table import UnitTable
from reanalyze.wording import front_end_words, option


def test_library_words_are_keyword_arguments() -> None:
    assert option("units", "M", "UNIT") == "units={'M': 'UNIT'}"
    assert option("overwrite", switch=True) == "overwrite=True"
    assert option("columns", value="[...]") == "columns=[...]"
    assert option("loader", value="quantum_design") == "loader='quantum_design'"


def test_front_end_words_apply_inside_the_block_and_nest() -> None:
    with front_end_words({"units": "--units", "overwrite": "--overwrite"}):
        assert option("units", "M", "UNIT") == "--units M=UNIT"
        assert option("overwrite", switch=True) == "--overwrite"
        assert option("loader", value="qd") == "loader='qd'"  # not named: the library's
        with front_end_words({"units": "the unit box of {key}", "loader": "Loader {value}"}):
            assert option("units", "M", "UNIT") == "the unit box of M"
            assert option("loader", value="qd") == "Loader qd"
            assert option("overwrite", switch=True) == "--overwrite"
        assert option("units", "M", "UNIT") == "--units M=UNIT"
    assert option("units", "M", "UNIT") == "units={'M': 'UNIT'}"


def test_flag_words_are_single_shell_words_whatever_the_names() -> None:
    words = {"units": "--units", "series_values": "--loader-option series_values="}
    with front_end_words(words):
        units = option("units", "DC Moment (emu)", "UNIT")
        series = option("series_values", "Series 1", "1 T")
    assert shlex.split(units) == ["--units", "DC Moment (emu)=UNIT"]
    assert shlex.split(series) == ["--loader-option", "series_values.Series 1=1 T"]


def test_front_end_words_stay_in_their_thread() -> None:
    seen: list[str] = []
    with front_end_words({"units": "--units"}):
        other = threading.Thread(target=lambda: seen.append(option("units", "M", "UNIT")))
        other.start()
        other.join()
    assert seen == ["units={'M': 'UNIT'}"]


def test_a_loader_message_names_the_keyword_in_python_and_the_flag_on_the_command_line(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reanalyze.cli import main

    path = tmp_path / "scan.csv"
    path.write_text("T (blorps),M (emu)\n1,2\n3,4\n")
    with pytest.raises(UnitError, match=r"give it with units=\{'T': 'UNIT'\}, or choose the other "
                       r"columns with columns=\[\.\.\.\]"):  # fmt: skip
        load(str(path))
    assert main(["data", "inspect", str(path)]) == 1
    assert "give it with --units T=UNIT, or choose the other columns with --column)" in (
        capsys.readouterr().err
    )


def test_a_loader_s_own_options_from_the_command_line(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A WebPlotDigitizer export with bare-number series labels: the refusal tells the command
    line user the flag that fixes it, and that flag loads the file as the keyword does."""
    from reanalyze.cli import main

    path = tmp_path / "wpd.csv"
    path.write_text("1,,2,\nX,Y,X,Y\n10,1,10,2\n20,3,20,4\n")
    assert main(["data", "inspect", str(path), "--loader", "webplotdigitizer"]) == 1
    err = capsys.readouterr().err
    assert err.endswith(
        "give --loader-option series_unit=T or --loader-option 'series_values.1=1 T'\n"
    ), err
    # the advice is shell words that work as given: series_unit=T loads the file
    advice = shlex.split(err.rsplit("give ", 1)[1].split(" or ")[0])
    assert main(["data", "inspect", str(path), "--loader", "webplotdigitizer", *advice]) == 0
    capsys.readouterr()
    out = tmp_path / "wpd.parquet"
    argv = ["data", "inspect", str(path), "--loader", "webplotdigitizer", "-o", str(out),
            "--loader-option", "series_values.1=1 T", "--loader-option", "series_values.2=2 T",
            "--loader-option", "x=T (K)", "--loader-option", "y=M (emu)"]  # fmt: skip
    assert main(argv) == 0
    # what the labels were read as, in words rather than JSON
    assert "\nseries: 1: value=1.0, unit=T, points=2; 2: value=2.0, unit=T, points=2\n" in (
        capsys.readouterr().out
    )
    table = UnitTable.read_parquet(out)
    expected = load(str(path), loader="webplotdigitizer", series_values={"1": "1 T", "2": "2 T"},
                    x="T (K)", y="M (emu)")  # fmt: skip
    assert table.data.equals(expected.data) and table.unit("H") == "T"
    capsys.readouterr()
    # the options every loader takes keep their own flags; an unknown one is a misused option
    assert main(["data", "inspect", str(path), "--loader-option", "units.T=K"]) == 2
    assert capsys.readouterr().err == (
        "error: loader option units: not a loader's own option; give it with --units\n"
    )
    assert main(["data", "inspect", str(path), "--loader-option", "serie_unit=T"]) == 2
    assert "unknown option(s) serie_unit" in capsys.readouterr().err
