"""``reanalyze demo``'s options. The demo itself runs end to end, offline, in the README
tour (``tests/test_readme.py::check_demo`` checks every stage's output), not a second time
here."""

from __future__ import annotations

import pytest

from reanalyze.cli import main


def test_demo_rejects_an_unknown_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--case", "nope"]) == 2  # a misused option
    assert "--case must be one of synthetic, erco2" in capsys.readouterr().err
