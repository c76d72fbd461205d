"""Twins for the tests (and the benchmarks): a magnet's bundle around members of one's choice.

:func:`magnet_twin` is the bundle of a magnetometer twin, M (emu) of T (K) and H (Oe). Its
members can be real Keras networks whose weights are set to a known function, so every
prediction has an exact answer: :func:`linear_member` (M = a·T + b·H + c) and
:func:`tanh_member` (a transition of width w at T0 + slope·µ0H).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reanalyze.twin.bundle import ModelBundle, wrap_in_units

UNITS = {"T": "K", "H": "Oe", "M": "emu"}
KINDS = {"T": "temperature", "H": "magnetic_field", "M": "magnetic_moment"}


def magnet_twin(
    members: Sequence[Any],
    ranges: dict[str, tuple[float, float]],
    *,
    data_sha256: str = "0" * 64,
    sample: dict[str, Any] | None = None,
) -> ModelBundle:
    """The bundle of a twin M(T, H) with these members and training ranges."""
    return ModelBundle(
        features=["T", "H"],
        target="M",
        units=dict(UNITS),
        kinds=dict(KINDS),
        ranges=ranges,
        data_sha256=data_sha256,
        members=list(members),
        sample=sample,
    )


def linear_member(a: float, b: float, c: float) -> Any:
    """A member with M = a·T + b·H + c exactly (a in emu/K, b in emu/Oe, c in emu)."""
    import keras

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    # standardization: x_s = (x - mean)/scale; y = y_s * y_scale + y_mean
    mean, scale, y_mean, y_scale = [35.0, 25000.0], [10.0, 20000.0], 0.05, 0.02
    w = np.array([[a * scale[0] / y_scale], [b * scale[1] / y_scale]], dtype="f4")
    bias = np.array([(a * mean[0] + b * mean[1] + c - y_mean) / y_scale], dtype="f4")
    net.layers[-1].set_weights([w, bias])
    return wrap_in_units(net, mean, scale, y_mean, y_scale)


def tanh_member(width: float, t0: float, slope: float, amplitude: float) -> Any:
    """A member with M = (amplitude/2)·[1 + tanh((t0 + slope·µ0H − T)/width)] exactly.

    ``t0`` and ``width`` in K, ``slope`` in K/T, ``amplitude`` in emu; H is in Oe.
    """
    import keras

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="tanh")])
    # inputs T (K), H (Oe); u = (t0 + slope·H/1e4 − T)/width
    kernel = np.array([[-1.0 / width], [slope * 1e-4 / width]], dtype="f4")
    net.layers[-1].set_weights([kernel, np.array([t0 / width], dtype="f4")])
    return wrap_in_units(net, [0.0, 0.0], [1.0, 1.0], amplitude / 2, amplitude / 2)
