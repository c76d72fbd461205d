"""Tests of the Curie-Weiss plugin, including reanalyze's conformance check."""

import numpy as np
import pytest
from reanalyze_curie_weiss import CurieWeiss

from reanalyze.testing import check_property_plugin


def test_conforms() -> None:
    check_property_plugin(CurieWeiss)


def test_recovers_the_analytic_paramagnet() -> None:
    result = CurieWeiss().run(CurieWeiss.example_table(), {"t_min": 60})
    assert result.summary["theta_cw"].value == pytest.approx(20.0, abs=1e-6)
    assert result.summary["mu_eff"].value == pytest.approx(7.0, rel=1e-6)
    assert np.isfinite(result.summary["curie_constant"].value)
