"""A reanalyze property plugin: the Curie-Weiss fit of the paramagnetic susceptibility."""

from reanalyze_curie_weiss.plugin import CurieWeiss

__all__ = ["CurieWeiss"]
