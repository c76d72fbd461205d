"""Line-held-out validation of twins against classic interpolation.

* :mod:`~reanalyze.validation.folds` — which lines are held out together, how a line is scored;
* :mod:`~reanalyze.validation.classic` — linear, PCHIP, thin-plate RBF and GP baselines;
* :mod:`~reanalyze.validation.run` — :func:`validate_run` (a trained twin) and
  :func:`validate_data` (data before training);
* :mod:`~reanalyze.validation.result` — the ``validation.json`` schema;
* :mod:`~reanalyze.validation.write` — the validation folder with figures.
"""

from reanalyze.validation.classic import CLASSIC_METHODS, fit_classic
from reanalyze.validation.folds import line_folds, score_line
from reanalyze.validation.result import Validation
from reanalyze.validation.run import validate_data, validate_run

__all__ = [
    "CLASSIC_METHODS",
    "Validation",
    "fit_classic",
    "line_folds",
    "score_line",
    "validate_data",
    "validate_run",
]
