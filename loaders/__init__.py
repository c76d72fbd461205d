"""File loaders: each module reads one format into a :class:`~reanalyze.table.UnitTable`.

Built-in loaders are named in ``registry.yaml``; third-party ones register under the entry-point
group ``reanalyze.loaders``. This folder installs as the package ``reanalyze.loaders``.
"""
