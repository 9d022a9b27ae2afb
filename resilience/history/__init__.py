"""The scan history: every nightly ``findings.json`` kept in a database, hash-chained, and read back
as period evidence (SOC 2 Type II: "the control operated on N of M days").

One job per module:

- :mod:`.store`    open a history database by URL (SQLite or PostgreSQL), migrate it, read it
- :mod:`.tables`   the schema (SQLAlchemy Core); :mod:`.migrations` versions it (Alembic)
- :mod:`.ingest`   validate a findings file and append it as a chained scan row
- :mod:`.chain`    the row hash and ``verify`` (altered, removed, reordered scans)
- :mod:`.period`   the period report (contract 5)
- :mod:`.sampling` pick the days an auditor samples
- :mod:`.packs`    the sample pack and the period's evidence pack (manifest as ``evidence_pack``)
- :mod:`.oscal`    the period as an OSCAL assessment-results document (compliance-trestle)
- :mod:`.commands` the ``resilience history`` command group (parsing and wiring only)
"""
