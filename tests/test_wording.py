"""A message tells the user to set an option in the words of the front end in use: a keyword
argument in a notebook, a flag on the command line, a GUI's phrase."""

from __future__ import annotations

import threading

import pytest

from reanalyze.errors import UnitError
from reanalyze.load import load
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
        with front_end_words({"units": "the unit boxes"}):
            assert option("units", "M", "UNIT") == "the unit boxes"
            assert option("overwrite", switch=True) == "--overwrite"
        assert option("units", "M", "UNIT") == "--units M=UNIT"
    assert option("units", "M", "UNIT") == "units={'M': 'UNIT'}"


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
