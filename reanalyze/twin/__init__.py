"""The twin: an Optuna search over Keras networks (``search``, ``space``, ``recipes``,
``objective``, ``pruner``, ``pool`` of warm worker processes, ``network``), the run folder's
``bundle.json`` and members (``bundle``), tracking in MLflow (``tracking``, ``ui``), and the
simulation of a new grid (``simulate``).

Import cost matters: nothing here imports TensorFlow, Optuna or MLflow until it is used.
"""

from reanalyze.twin.bundle import ModelBundle
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search, run_worker
from reanalyze.twin.space import SearchSpace, TrialConfig

__all__ = ["ModelBundle", "Search", "SearchSpace", "TrainingData", "TrialConfig", "run_worker"]
