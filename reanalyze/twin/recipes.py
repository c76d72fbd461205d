"""Named training recipes: what ``reanalyze train`` does when no option says otherwise.

A recipe fixes the search space, the trial objective, the number of trials, the ensemble and
how the data are presented to the networks (:class:`~reanalyze.twin.data.Encoding`).
Options given explicitly (``--trials``, ``--objective``, ``--activation``, ...) override the
recipe's values.

* ``default`` — chosen by held-out-line error against classic interpolation on every dataset
  in the registry (``benchmarks/bench_accuracy.py``, docs/accuracy.md): smooth networks,
  positive axes spanning decades on a log scale, trials scored on held-out lines together
  with the training fit, fewer epochs for tables over 12 000 rows (``row_epoch_budget``).
  (Weighting every line by its relative error, ``line_weights=True``, was measured and made
  ErCo2's held-out lines worse: 19.9 % against 9.8 % without; it stays available in
  :class:`Recipe`.)
* ``paper`` — Terashima et al. (2023): ReLU networks of 2–10 × 50–200 nodes, training-R²
  objective, 20 trials, plain standardization.

Examples
--------
>>> get_recipe("paper").objective
'train'
>>> sorted(RECIPES)
['default', 'paper']
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from reanalyze.errors import UnknownNameError
from reanalyze.twin.objective import ObjectiveName
from reanalyze.twin.space import SearchSpace

__all__ = ["RECIPES", "Recipe", "get_recipe"]


class Recipe(BaseModel):
    """A complete training recipe."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    space: SearchSpace
    objective: ObjectiveName
    n_trials: int
    ensemble: int
    log_axes: bool
    line_weights: bool
    row_epoch_budget: float | None = None

    def space_for(self, n_rows: int) -> SearchSpace:
        """The recipe's space for ``n_rows`` training rows.

        With a ``row_epoch_budget``, a table so large that ``n_rows × max_epochs`` exceeds it
        trains for proportionally fewer epochs (at least 20), with the learning-rate drop
        scaled alike and a patience of at least 40: a 30 000-row ARPES map sees each row 200
        times instead of 500. Measured on the LOFBiS2 map: 50 epochs underfit (held-out
        lines 9.0 % against PCHIP's 7.8 %), 200 epochs 7.2 %.

        >>> get_recipe("default").space_for(808).max_epochs
        500
        >>> space = get_recipe("default").space_for(30_000)
        >>> space.max_epochs, space.lr_drop_epoch, space.patience
        (200, 40, 40)
        """
        space = self.space
        if not self.row_epoch_budget or n_rows * space.max_epochs <= self.row_epoch_budget:
            return space
        scale = self.row_epoch_budget / (n_rows * space.max_epochs)
        return space.model_copy(
            update={
                "max_epochs": max(20, round(space.max_epochs * scale)),
                "lr_drop_epoch": max(5, round(space.lr_drop_epoch * scale)),
                "patience": max(40, round(space.patience * scale)),
            }
        )


RECIPES: dict[str, Recipe] = {
    "default": Recipe(
        name="default",
        description="smooth (SiLU or tanh) networks, log axes, held-out-line objective",
        space=SearchSpace(
            layers=(3, 5),
            nodes=(64, 160),
            learning_rate=(1e-3, 5e-3),
            activations=["silu", "tanh"],
            max_epochs=500,
            lr_drop_epoch=100,
            patience=50,
        ),
        objective="lines",
        n_trials=8,
        ensemble=5,
        log_axes=True,
        line_weights=False,
        row_epoch_budget=6e6,
    ),
    "paper": Recipe(
        name="paper",
        description="Terashima et al. (2023): ReLU, 2-10 x 50-200 nodes, training R², 20 trials",
        space=SearchSpace(),
        objective="train",
        n_trials=20,
        ensemble=5,
        log_axes=False,
        line_weights=False,
    ),
}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``.

    Raises
    ------
    UnknownNameError
        No such recipe.
    """
    try:
        return RECIPES[name]
    except KeyError:
        raise UnknownNameError(
            f"unknown recipe {name!r} (choose from {', '.join(RECIPES)})"
        ) from None
