"""Collectors: read a cloud estate (read-only) into an :class:`~resilience.model.Inventory`.

One sub-package per provider. A collector never writes to the cloud, never swallows a failed
read (every read becomes a :class:`~resilience.model.Coverage` record), and takes its session or
credentials as an argument (no module-level clients).
"""
