"""Resource Graph rows of Azure platform services -> nodes (pure; a mixin of the Transformer).

Shapes are the ARM resources' ``properties`` as Resource Graph returns them:

- Azure Cache for Redis (``Microsoft.Cache/redis``): ``zones`` (the row's), ``sku.name``
  (Basic = one node, no replica), ``replicasPerMaster``, ``hostName``. A cache is judged as serving
  capacity (``compute_group``), not as data: its contents are rebuilt from the source of truth.
- AKS (``Microsoft.ContainerService/managedClusters``): ``agentPoolProfiles[]`` (``count``,
  ``availabilityZones``, ``mode``): one ``compute_group`` whose zones are the union of its pools'.
- Key Vault (``Microsoft.KeyVault/vaults``): ``vaultUri`` (apps' settings resolve to it). A vault
  serves from its region (zone-redundant where the region has zones); Microsoft's read-only
  failover to the paired region is Microsoft-initiated, so it is not counted as a copy the customer
  controls: an app in a DR region that depends on a vault in the primary region stops with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import COMPUTE_GROUP, REPLICATES_TO


class PlatformServices:
    base: Any
    node: Any
    zones: Any
    placement: Any
    facts: Any
    region_zones: Any

    def redis_cache(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        props, sku = b["props"], b["sku"] or (b["props"].get("sku") or {})
        tier = str(sku.get("name") or "")
        replicas = props.get("replicasPerMaster") or (0 if tier.lower() == "basic" else 1)
        # without zones (Basic is one node) the cache is in one zone Azure does not name: regional placement,
        # zone_unreported (a made-up zone of its own was never a failed zone: a zone loss always 'spared' it)
        zones = b["zones"]
        self.node(id=row["id"], kind=COMPUTE_GROUP, type="Microsoft.Cache/redis", name=row["name"], region=b["region"],
                  source=b["source"], zones=zones, tags=b["tags"], attrs={
                      "platform": "azure-cache-for-redis", "tier": tier or None, "replicas": replicas,
                      "desired_capacity": 1 + int(replicas), "host": props.get("hostName"),
                      "logical_zones": b["logical"] or None, "multi_az": len(b["logical"]) > 1,
                      "placement": self.placement(b["region"], b["logical"])})

    def aks_cluster(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        pools = b["props"].get("agentPoolProfiles") or []
        logical = sorted({str(z) for p in pools for z in p.get("availabilityZones") or []})
        zones, logical = self.zones(b["region"], logical)
        self.node(id=row["id"], kind=COMPUTE_GROUP, type="Microsoft.ContainerService/managedClusters",
                  name=row["name"], region=b["region"], source=b["source"], zones=zones, tags=b["tags"], attrs={
                      "platform": "aks", "desired_capacity": sum(int(p.get("count") or 0) for p in pools) or None,
                      "node_pools": [{"name": p.get("name"), "mode": p.get("mode"), "count": p.get("count"),
                                      "zones": p.get("availabilityZones") or []} for p in pools] or None,
                      "logical_zones": logical or None, "multi_az": len(logical) > 1,
                      "placement": self.placement(b["region"], logical)})

    def key_vault(self, row: Mapping[str, Any]) -> None:
        b = self.base(row)
        zoned = self.facts.zones_available(b["region"])
        self.node(id=row["id"], kind=COMPUTE_GROUP, type="Microsoft.KeyVault/vaults", name=row["name"],
                  region=b["region"], source=b["source"], tags=b["tags"],
                  zones=self.region_zones(b["region"]) if zoned else (), attrs={
                      "platform": "key-vault", "vault_uri": b["props"].get("vaultUri"),
                      "sku": (b["props"].get("sku") or {}).get("name"), "multi_az": bool(zoned),
                      "placement": "zone_redundant" if zoned else "regional",
                      "soft_delete_days": b["props"].get("softDeleteRetentionInDays"),
                      "purge_protection": b["props"].get("enablePurgeProtection")})
        # Key Vault copies a vault's contents to the paired region; in a region-wide outage Microsoft fails the
        # vault over there, read-only (secrets and keys can be read, not changed). A region without a pair keeps
        # no copy. A blind estate's sound two-region app "stopped serving" with its vault's region.
        pair = self.facts.pair(b["region"])
        if pair:
            copy_id = f"{row['id']}#paired"
            pair_zoned = self.facts.zones_available(pair)
            self.node(id=copy_id, kind=COMPUTE_GROUP, type="Microsoft.KeyVault/vaults#paired", name=f"{row['name']} "
                      f"(paired, read-only)", region=pair, source=b["source"],
                      zones=self.region_zones(pair) if pair_zoned else (), attrs={
                          "platform": "key-vault", "role": "replica", "replica_of": row["id"], "synthetic": True,
                          "read_only": True, "multi_az": bool(pair_zoned),
                          "placement": "zone_redundant" if pair_zoned else "regional"})
            self.link(row["id"], copy_id, REPLICATES_TO, b["source"], mode="async", promotable=True, automatic=True,
                      read_only=True, mechanism="key-vault-paired-region")
