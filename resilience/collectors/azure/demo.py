"""The demo subscription: recorded ARM/Resource Graph responses served locally, read by the real SDK.

``demo_inventory`` starts :class:`~resilience.collectors.replay.RecordedServer` on 127.0.0.1 with
``recorded/demo.json`` (package data), points the collector at it exactly as
``AZURE_RESOURCE_MANAGER_ENDPOINT`` + ``AZURE_ACCESS_TOKEN`` would, collects, and stops the server.

Planted in subscription ``contoso-gulf-prod`` (see ``docs/graph.md`` / the demo README):
- ``stgulfdocs``: Standard_LRS storage (one datacentre, one region);
- ``stgulfarchive``: RA-GRS whose geo copy lands in UAE Central, the same Gulf failure domain;
- ``inventory`` Azure SQL: not zone-redundant, locally-redundant backups, no geo-replica;
- ``vmss-api-uaen``: scale set pinned to zone 1; ``pg-reports``: same-zone HA;
- ``cosmos-catalog``: single region, local periodic backup;
- ``vm-legacy-app``: backed up only into a locally-redundant vault in its own region, replicated by
  Site Recovery to West Europe with a test failover on 2026-05-10 (A1.3 evidence);
- ``vm-batch-uaec`` in UAE Central, a region with no availability zones (not a zonal finding);
- ``rg-fulfilment`` (no workload tag): the geo pairings of issue 12 — a Premium Redis cache geo-replicated
  UAE North -> West Europe, a managed-instance failover group, Event Hubs and Service Bus Geo-DR pairs;
- sound: workload ``wallet`` (SQL failover group UAE North -> West Europe, zone-redundant scale sets behind
  a health-checked Traffic Manager priority profile, Cosmos DB in both regions; ``pay.contoso-gulf.example``
  is an alias record set to the profile);
- sound: workload ``docs`` is entered at ``docs.contoso-gulf.example``, a CNAME to the Front Door Premium
  profile ``afd-docs``, whose probed origin group has an app in UAE North (priority 1) and one in
  West Europe (priority 2). The zone's record sets come in two pages (``nextLink``).
"""

from __future__ import annotations

import json
from importlib import resources

from resilience.collectors.replay import RecordedServer
from resilience.model import Inventory

from .clients import AzureSettings
from .collector import collect

RECORDING = "recorded/demo.json"


def recording() -> dict:
    return json.loads(resources.files(__package__).joinpath(RECORDING).read_text(encoding="utf-8"))


DEMO_SUBSCRIPTION = "8f3a1c52-6d2e-4b7a-9c1d-2e5f7a9b0c11"


def demo_inventory(observed_at: str) -> Inventory:
    data = recording()
    with RecordedServer(data["routes"]) as server:
        settings = AzureSettings(endpoint=server.base_url, token="demo-token", retry_total=1, retry_backoff_s=0.05,
                                 connect_timeout_s=5, read_timeout_s=10)
        inventory = collect(settings, subscriptions=(), observed_at=observed_at)
    inventory.meta["identity"] = "azure:demo"
    return inventory
