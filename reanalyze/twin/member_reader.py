"""A saved ensemble member read into numpy arrays: predictions without importing TensorFlow.

A member file ``members/member_<i>.keras`` is a zip archive that Keras writes: the model's
layout in ``config.json`` and its weights in ``model.weights.h5``. Every member reanalyze
saves has the layout of :func:`~reanalyze.twin.bundle.wrap_in_units`::

    x_s  = (x − µ_x) / max(σ_x, ε)                  standardize (Normalization)
    h_0  = x_s
    h_l  = f_l(h_(l−1) · W_l + b_l),  l = 1 … L     Dense layers (Dropout: identity here)
    y    = µ_y + h_L · max(σ_y, ε)                  unstandardize (inverted Normalization)

with ``ε = 1e-7`` (Keras' ``backend.epsilon()``), ``σ = √variance`` and ``f_L`` linear.
:func:`read_member` reads exactly that with :mod:`zipfile`, :mod:`json` and ``h5py``, and
:class:`NumpyMember` evaluates it in float32 as Keras does, so a command that only predicts
(``simulate``, ``property run``, ``plan``, ``report``) spares the ~6 s import of TensorFlow.
The predictions equal Keras' to float32 rounding (about 1e-7 relative; the order of the
sums differs). A file of any other layout raises :class:`UnknownLayout` and is loaded by Keras
instead (:meth:`~reanalyze.twin.bundle.ModelBundle.loaded_members`).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze.arrays import Float32Array

__all__ = ["ACTIVATIONS", "NumpyMember", "UnknownLayout", "read_member"]

#: Keras' ``backend.epsilon()``: the smallest scale a Normalization layer divides by.
EPSILON = 1e-7


def _silu(z: Float32Array) -> None:
    """``z ← z · σ(z) = z / (1 + e^(−z))``, in place."""
    denominator = np.negative(z)
    with np.errstate(over="ignore"):  # e^(−z) = inf for z < −88: z / inf = −0, as Keras
        np.exp(denominator, out=denominator)
    denominator += 1.0
    np.divide(z, denominator, out=z)


def _gelu(z: Float32Array) -> None:
    """``z ← z · (1 + erf(z / √2)) / 2`` (exact GELU), in place."""
    from scipy.special import erf

    half = z * np.float32(1.0 / np.sqrt(2.0))
    erf(half, out=half)
    half += 1.0
    half *= 0.5
    z *= half


def _elu(z: Float32Array) -> None:
    """``z ← z`` for z > 0, ``e^z − 1`` otherwise (α = 1), in place."""
    negative = z < 0
    z[negative] = np.expm1(z[negative])


#: The activations of the search space (:data:`~reanalyze.twin.space.Activation`) and the
#: output layer's ``linear``, as Keras 3 defines them (``elu`` with α = 1, exact ``gelu``),
#: each applied in place to a float32 array.
ACTIVATIONS: dict[str, Callable[[Float32Array], object]] = {
    "linear": lambda z: None,
    "relu": lambda z: np.maximum(z, 0.0, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "silu": _silu,
    "gelu": _gelu,
    "softplus": lambda z: np.logaddexp(0.0, z, out=z),
    "elu": _elu,
}

#: Rows evaluated together: blocks of a few MB stay in the CPU's caches (measured on 2 cores,
#: 5×160 SiLU network: 16 384 rows at a time is about twice as fast as 65 536).
BLOCK_ROWS = 16_384


class UnknownLayout(ValueError):
    """The member file is not the layout :func:`read_member` knows (Keras must load it)."""


@dataclass(frozen=True)
class NumpyMember:
    """One member as arrays: standardization, dense layers, unstandardization (float32).

    Attributes
    ----------
    x_mean, x_scale
        Feature means and scales, shape ``(n_features,)``, in the members' input units.
    y_mean, y_scale
        Target mean and scale, in the target's unit.
    layers
        ``(kernel (n_in, n_out), bias (n_out,), activation name)`` in order.
    """

    x_mean: Float32Array
    x_scale: Float32Array
    y_mean: np.float32
    y_scale: np.float32
    layers: tuple[tuple[Float32Array, Float32Array, str], ...]

    def predict(self, x: npt.ArrayLike) -> Float32Array:
        """The member's output for inputs ``x`` (n, n_features), shape ``(n,)``, float32."""
        inputs = np.asarray(x, dtype=np.float32)
        out = np.empty(len(inputs), dtype=np.float32)
        for start in range(0, len(inputs), BLOCK_ROWS):
            h: Float32Array = (inputs[start : start + BLOCK_ROWS] - self.x_mean) / self.x_scale
            for kernel, bias, activation in self.layers:
                h = h @ kernel
                h += bias
                ACTIVATIONS[activation](h)
            out[start : start + len(h)] = self.y_mean + h[:, 0] * self.y_scale
        return out


def _scale(variance: Any) -> Float32Array:
    return np.maximum(np.sqrt(np.asarray(variance, dtype=np.float32)), np.float32(EPSILON))


def _snake(name: str) -> str:
    """Keras' file name for a layer class: ``Dense`` → ``dense``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _named(layers: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(name in the weights file, config)`` of each layer but the input: Keras names them
    by class, numbered from the second of a class on (``dense``, ``dense_1`` …)."""
    seen: dict[str, int] = {}
    for layer in layers:
        if layer.get("class_name") == "InputLayer":
            continue
        base = _snake(str(layer.get("class_name")))
        count = seen.get(base, 0)
        seen[base] = count + 1
        yield (base if count == 0 else f"{base}_{count}"), layer


def _normalization(config: dict[str, Any], invert: bool) -> tuple[Float32Array, Float32Array]:
    if config.get("invert", False) != invert or config.get("mean") is None:
        raise UnknownLayout("normalization without fixed mean and variance")
    mean = np.atleast_1d(np.asarray(config["mean"], dtype=np.float32))
    return mean, np.atleast_1d(_scale(config["variance"]))


def member_from_files(config: dict[str, Any], weights: Any) -> NumpyMember:
    """The member of a Keras ``config.json`` (parsed) and its open ``model.weights.h5``.

    Raises
    ------
    UnknownLayout
        Any layer, activation or weight the layout above does not have.
    """
    outer = list(_named(config.get("config", {}).get("layers", [])))
    kinds = [layer.get("class_name") for _, layer in outer]
    if kinds != ["Normalization", "Sequential", "Normalization"]:
        raise UnknownLayout(f"layers {kinds}")
    x_mean, x_scale = _normalization(outer[0][1]["config"], invert=False)
    y_mean, y_scale = _normalization(outer[2][1]["config"], invert=True)
    inner_name, inner = outer[1]
    layers = []
    for name, layer in _named(inner["config"]["layers"]):
        settings = layer["config"]
        if layer["class_name"] == "Dropout":
            continue
        if layer["class_name"] != "Dense" or not settings.get("use_bias", True):
            raise UnknownLayout(f"layer {layer['class_name']}")
        activation = settings.get("activation")
        if activation not in ACTIVATIONS:
            raise UnknownLayout(f"activation {activation!r}")
        try:
            found = weights[f"layers/{inner_name}/layers/{name}/vars"]
            kernel = np.asarray(found["0"], dtype=np.float32)
            bias = np.asarray(found["1"], dtype=np.float32)
        except KeyError as exc:
            raise UnknownLayout(f"weights of {name}") from exc
        layers.append((kernel, bias, str(activation)))
    sizes = [x_mean.size] + [k.shape[1] for k, _, _ in layers]
    if not layers or any(
        k.shape != (n_in, b.size) for (k, b, _), n_in in zip(layers, sizes, strict=False)
    ):
        raise UnknownLayout(f"weight shapes {[k.shape for k, _, _ in layers]}")
    if sizes[-1] != 1 or y_mean.size != 1 or x_scale.size != x_mean.size:
        raise UnknownLayout("not one target")
    return NumpyMember(x_mean, x_scale, y_mean[0], y_scale[0], tuple(layers))


def read_member(path: str | Path) -> NumpyMember:
    """The member saved in the Keras file ``path``.

    Raises
    ------
    UnknownLayout
        Not a zip with ``config.json`` and ``model.weights.h5`` of the layout above (a damaged
        file included: Keras then says what is wrong with it).
    """
    import h5py

    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            weights = io.BytesIO(archive.read("model.weights.h5"))
        with h5py.File(weights, "r") as h5:
            return member_from_files(config, h5)
    except UnknownLayout:
        raise
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise UnknownLayout(f"{type(exc).__name__}: {exc}") from None
