"""Which lines are held out, and how a held-out line is scored."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reanalyze.validation.folds import MAX_LEAVE_ONE_OUT, line_folds, score_line


@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=60, unique=True))
def test_folds_hold_out_every_interior_line_once_and_never_the_ends(values: list[float]) -> None:
    lines = np.asarray(values)
    folds = line_folds(lines)
    held = np.concatenate(folds)
    ordered = np.sort(lines)
    np.testing.assert_array_equal(np.sort(held), ordered[1:-1])
    interior = len(lines) - 2
    expected = interior if interior <= MAX_LEAVE_ONE_OUT else 5
    assert len(folds) == expected
    position = {v: i for i, v in enumerate(ordered)}
    for fold in folds:  # no two neighbours in one fold
        idx = sorted(position[v] for v in fold)
        assert all(b - a > 1 for a, b in itertools.pairwise(idx)) or len(fold) == 1


def test_too_few_lines_give_no_fold() -> None:
    assert line_folds(np.array([1.0, 2.0])) == []


def test_score_line_numbers() -> None:
    measured = np.array([0.0, 1.0, 2.0, 4.0])
    predicted = np.array([0.0, 1.5, 2.0, np.nan])
    score = score_line(3.0, measured, predicted)
    assert score.rmse == pytest.approx(np.sqrt(0.25 / 3))
    assert score.rel_rmse == pytest.approx(np.sqrt(0.25 / 3) / 4.0)
    assert score.max_error == 0.5 and score.n == 3 and score.missing == 1
