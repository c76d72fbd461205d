"""The fit check and the sentence train ends with."""

from __future__ import annotations

import numpy as np

from reanalyze.twin.data import TrainingData
from reanalyze.twin.verdict import fit_check, noise_estimate, search_sentence


def lines_with_noise(sigma: float) -> TrainingData:
    rng = np.random.default_rng(0)
    t = np.tile(np.linspace(0, 1, 400), 3)
    h = np.repeat([1.0, 2.0, 3.0], 400)
    clean = np.sin(4 * t) * h
    return TrainingData(
        np.column_stack([t, h]), clean + rng.normal(0, sigma, t.size), ["T", "H"], "M",
        {}, {}, "H",
    )  # fmt: skip


def test_noise_estimate_recovers_the_noise_of_smooth_lines() -> None:
    data = lines_with_noise(0.01)
    np.testing.assert_allclose(noise_estimate(data), 0.01, rtol=0.15)


def test_fit_check_flags_a_twin_that_does_not_follow_the_lines() -> None:
    data = lines_with_noise(0.01)
    clean = np.sin(4 * data.x[:, 0]) * data.x[:, 1]
    good = fit_check(data, clean)
    assert good["ok"] and good["fit_rel_rmse"] < 2 * good["noise_rel"]
    smooth = np.full(data.n_rows, data.y.mean())  # a constant: fits no line
    bad = fit_check(data, smooth)
    assert not bad["ok"] and bad["fit_rel_rmse"] > 0.2
    words = search_sentence(
        {"trials": {"COMPLETE": 3, "PRUNED": 5}, "wall_s": 12.3, "config": {}, "fit": bad}
    )
    assert words[0] == "8 trials in 12 s: 3 trained to the end, 5 stopped early"
    assert "does NOT follow the measured curves" in words[2]


def test_sentence_says_when_a_classic_method_wins() -> None:
    summary = {
        "trials": {"COMPLETE": 8},
        "wall_s": 20,
        "config": {"layers": 3, "nodes": 64, "activation": "silu"},
        "holdout": {"lines": [0.1, 2.0], "twin": 0.05, "classic": {"pchip": 0.02, "gp": 0.3}},
        "slow_unit": "T",
    }
    text = "\n".join(search_sentence(summary))
    assert (
        "held-out lines (0.1, 2 T): twin 5.00% of the line range, best of linear/PCHIP/RBF "
        "(pchip) 2.00%: pchip beats the twin here" in text
    )
