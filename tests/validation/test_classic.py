"""Classic interpolators against functions they must reproduce exactly, and their limits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from reanalyze.errors import DataError
from reanalyze.validation.classic import CLASSIC_METHODS, fit_classic


def scan(
    fields: list[float], temperatures: np.ndarray, f: object, *, jitter: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Lines at fixed field, temperatures optionally shifted per line (readback scatter)."""
    rng = np.random.default_rng(0)
    rows = []
    for h in fields:
        t = temperatures + jitter * rng.uniform(-1, 1, temperatures.size)
        rows.append(np.column_stack([t, np.full(t.size, h)]))
    x = np.vstack(rows)
    return x, f(x[:, 0], x[:, 1])  # type: ignore[operator]


def linear_in_h(t: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Exactly linear along the slow axis at any T; curved along T."""
    return np.tanh((t - 30) / 5) + (0.2 + 0.01 * t) * h


@pytest.mark.parametrize("name", ["linear", "pchip"])
def test_between_curves_is_exact_for_data_linear_in_the_slow_axis(name: str) -> None:
    t = np.linspace(10, 60, 201)
    x, y = scan([0.0, 1.0, 3.0, 5.0], t, linear_in_h)
    model = fit_classic(name, x, y, slow=1)
    query = np.column_stack([t, np.full(t.size, 2.0)])  # a line between 1 and 3, matched T
    np.testing.assert_allclose(model.predict(query), linear_in_h(t, 2.0), rtol=0, atol=1e-12)


def test_pchip_between_curves_equals_scipy_pchip_across_lines() -> None:
    t = np.linspace(10, 60, 51)
    fields = [0.01, 0.1, 0.5, 1.0, 2.0]

    def curved(t: np.ndarray, h: np.ndarray) -> np.ndarray:
        return np.sqrt(h) * np.exp(-t / 40)

    x, y = scan(fields, t, curved)
    got = fit_classic("pchip", x, y, slow=1).predict(np.column_stack([t, np.full(t.size, 0.7)]))
    grid = curved(t[None, :], np.asarray(fields)[:, None])  # (fields, T)
    expected = PchipInterpolator(fields, grid, axis=0)(0.7)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_lines_measured_at_different_temperatures_are_interpolated_along_t_first() -> None:
    t = np.linspace(10, 60, 401)
    x, y = scan([0.0, 1.0, 2.0], t, linear_in_h, jitter=0.05)
    model = fit_classic("linear", x, y, slow=1)
    query = np.column_stack([t[5:-5], np.full(t.size - 10, 0.5)])
    error = model.predict(query) - linear_in_h(query[:, 0], 0.5)
    assert np.max(np.abs(error)) < 2e-3  # only the along-T linear interpolation error


def test_rbf_reproduces_an_affine_function() -> None:
    t = np.linspace(10, 60, 40)
    x, y = scan([0.0, 1.0, 2.0, 4.0], t, lambda t, h: 1.0 + 2.0 * t - 3.0 * h)
    query = np.column_stack([np.linspace(12, 58, 17), np.linspace(0.5, 3.5, 17)])
    got = fit_classic("rbf", x, y, slow=1).predict(query)
    np.testing.assert_allclose(got, 1.0 + 2.0 * query[:, 0] - 3.0 * query[:, 1], atol=1e-6)


def test_gp_learns_a_smooth_surface() -> None:
    t = np.linspace(0, 1, 30)
    x, y = scan([0.0, 0.25, 0.5, 0.75, 1.0], t, lambda t, h: np.sin(3 * t) * np.exp(-h))
    query = np.column_stack([t, np.full(t.size, 0.375)])
    got = fit_classic("gp", x, y, slow=1).predict(query)
    exact = np.sin(3 * t) * np.exp(-0.375)
    assert np.sqrt(np.mean((got - exact) ** 2)) / np.ptp(exact) < 0.01


def test_between_curves_gives_nan_outside_the_lines() -> None:
    t = np.linspace(10, 60, 11)
    x, y = scan([0.0, 1.0], t, linear_in_h)
    model = fit_classic("pchip", x, y, slow=1)
    got = model.predict(np.array([[4.0, 0.5], [30.0, 2.0]]))
    assert np.isnan(got).all()  # over a T step below every line; beyond the last field
    near = model.predict(np.array([[7.0, 0.5]]))  # within a step: the lines' end values
    np.testing.assert_allclose(near, linear_in_h(np.array([10.0]), 0.5))


@pytest.mark.parametrize(
    ("name", "x", "fragment"),
    [
        ("linear", np.column_stack([np.arange(6.0), np.zeros(6)]), "at least two scan lines"),
        ("pchip", np.ones((6, 3)), "needs two features"),
        ("kriging", np.ones((6, 2)), "unknown classic method 'kriging'"),
    ],
)
def test_refusals(name: str, x: np.ndarray, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment):
        fit_classic(name, x, np.arange(len(x), dtype=float), slow=1)


def test_every_method_predicts_every_point_inside_the_data() -> None:
    t = np.linspace(10, 60, 25)
    x, y = scan([0.0, 1.0, 2.0], t, linear_in_h)
    for name in CLASSIC_METHODS:
        got = fit_classic(name, x, y, slow=1).predict(x)
        assert np.isfinite(got).all(), name
        np.testing.assert_allclose(got, y, atol=0.05 * np.ptp(y), err_msg=name)
