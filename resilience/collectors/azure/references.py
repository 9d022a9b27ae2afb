"""App Service / Functions settings -> the hosts they reach (pure; the values are dropped here).

``Web Apps - List Application Settings`` and ``- List Connection Strings`` return secret values.
The collector hands each response to :func:`setting_references` straight away and keeps only
what this returns: the setting's NAME, the host its value names, and (for SQL connection strings)
the database name. Nothing else of a value is kept, stored or printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: DNS suffixes of the Azure services a setting can point at (public and private-link names)
AZURE_SUFFIXES = (
    "database.windows.net", "documents.azure.com", "postgres.database.azure.com", "mysql.database.azure.com",
    "blob.core.windows.net", "queue.core.windows.net", "table.core.windows.net", "file.core.windows.net",
    "dfs.core.windows.net", "web.core.windows.net", "redis.cache.windows.net", "redisenterprise.cache.azure.net",
    "vault.azure.net", "servicebus.windows.net", "azurewebsites.net", "trafficmanager.net", "azurefd.net",
    "azure-api.net", "search.windows.net", "azurecr.io",
)
_HOST = re.compile(r"(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:"
                   + "|".join(re.escape(s) for s in AZURE_SUFFIXES) + r"))(?![\w-])", re.IGNORECASE)
_DATABASE = re.compile(r"(?:^|;)\s*(?:initial catalog|database)\s*=\s*([^;]+)", re.IGNORECASE)
_ACCOUNT = re.compile(r"(?:^|;)\s*accountname\s*=\s*([a-z0-9]+)", re.IGNORECASE)


def hosts_in(value: str) -> list[str]:
    """Azure host names a setting value names (URLs, connection strings, Key Vault references)."""
    hosts = [h.lower().replace(".privatelink.", ".") for h in _HOST.findall(value)]
    account = _ACCOUNT.search(value)
    if account and not any(h.endswith(".core.windows.net") for h in hosts):
        hosts.append(f"{account.group(1).lower()}.blob.core.windows.net")  # AccountName=...;EndpointSuffix=...
    return list(dict.fromkeys(hosts))


def setting_references(app_settings: Mapping[str, Any] | None,
                       connection_strings: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """``[{name, source, host, database?}]`` per (setting, host); settings naming no Azure host are
    listed by name only (``host`` None) so the evidence shows what was looked at."""
    out: list[dict[str, Any]] = []

    def add(name: str, source: str, value: Any, kind: str | None = None) -> None:
        text = value if isinstance(value, str) else ""
        hosts = hosts_in(text)
        database = _DATABASE.search(text)
        if not hosts:
            out.append({"name": name, "source": source, "host": None})
        for host in hosts:
            ref = {"name": name, "source": source, "host": host}
            if database and host.endswith("database.windows.net"):
                ref["database"] = database.group(1).strip()
            if kind:
                ref["type"] = kind
            out.append(ref)

    for name, value in sorted(((app_settings or {}).get("properties") or {}).items()):
        add(name, "app_setting", value)
    for name, entry in sorted(((connection_strings or {}).get("properties") or {}).items()):
        entry = entry if isinstance(entry, Mapping) else {}
        add(name, "connection_string", entry.get("value"), entry.get("type"))
    return out
