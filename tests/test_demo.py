"""``reanalyze demo``'s options. The demo itself runs end to end, offline, in the README
tour (``tests/test_readme.py::check_demo`` checks every stage's output), not a second time
here."""

from __future__ import annotations

import pytest

from reanalyze.cli import main


def test_demo_rejects_an_unknown_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--case", "nope"]) == 2  # a misused option
    assert "--case must be one of synthetic, erco2" in capsys.readouterr().err


def test_demo_never_writes_into_a_users_folder_and_offers_no_overwrite(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.txt").write_text("my notes")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.endswith("not empty and not written by reanalyze demo; choose another folder\n")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
