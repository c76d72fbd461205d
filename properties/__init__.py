"""Property plugins: derived quantities computed from measured or simulated grids.

Built-in plugins are named in ``registry.yaml``; third-party ones register under the entry-point
group ``reanalyze.properties``. This folder installs as the package ``reanalyze.properties``.
"""
