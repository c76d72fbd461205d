"""Type aliases of the numpy arrays reanalyze passes around (type hints only).

>>> import numpy as np
>>> x: FloatArray = np.linspace(0.0, 1.0, 3)
>>> x.dtype
dtype('float64')
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "Float32Array", "FloatArray"]

#: An array of float64 values (any shape); units are those of the quantity it holds.
FloatArray = npt.NDArray[np.float64]
#: An array of float32 values: a network's weights, inputs and outputs (Keras computes in
#: float32).
Float32Array = npt.NDArray[np.float32]
#: An array of booleans (a mask).
BoolArray = npt.NDArray[np.bool_]
