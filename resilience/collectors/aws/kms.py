"""KMS: customer and AWS managed keys, multi-region keys and their replicas, aliases.

A key node lists every region that holds it (``key_regions``: its own, plus the primary's and the
replicas' for a multi-region key). Data stores and copies carry the key they are encrypted under
(``kms_key``; copies also ``-depends_on->`` it with ``via: kms``): a copy whose key exists only in
a failed region cannot be decrypted, so it is not restorable (``survival.key_lost``). A key whose
DescribeKey is denied stays uninventoried (a coverage record); its id still tells a multi-region
key (``mrk-``) from a single-region one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resilience.model import ENCRYPTION_KEY, Inventory

from .common import Scope, inventory, iso
from .context import TaskContext
from .pagination import paginate

NAME = "kms"
CLIENT = "kms"
GLOBAL = False
PERMISSIONS = ["kms:DescribeKey", "kms:ListAliases", "kms:ListKeys"]
COVERAGE = {
    "kms": "ListKeys",
    "kms:keys": "DescribeKey (a key policy may deny it for single keys: those stay uninventoried)",
    "kms:aliases": "ListAliases",
}


# --- get -------------------------------------------------------------------------------------
def get_key_ids(client: Any) -> list[str]:
    return [k["KeyId"] for k in paginate(client, "list_keys", "Keys")]


def describe_key(client: Any, key_id: str) -> dict[str, Any]:
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


def get_aliases(client: Any) -> list[dict[str, Any]]:
    return paginate(client, "list_aliases", "Aliases")


# --- transform -------------------------------------------------------------------------------
def key_regions(meta: Mapping[str, Any], own_region: str) -> list[str]:
    """Every region holding this key material: its own, and a multi-region key's related keys."""
    regions = [own_region]
    config = meta.get("MultiRegionConfiguration") or {}
    related = [config.get("PrimaryKey") or {}, *(config.get("ReplicaKeys") or [])]
    for key in related:
        if key.get("Region") and key["Region"] not in regions:
            regions.append(key["Region"])
    return regions


def transform_keys(keys: list[Mapping[str, Any]], aliases: list[Mapping[str, Any]] | None, scope: Scope) -> Inventory:
    out = inventory()
    names: dict[str, list[str]] = {}
    for alias in aliases or ():
        if alias.get("TargetKeyId"):
            names.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    for meta in keys:
        arn = meta["Arn"]
        config = meta.get("MultiRegionConfiguration") or {}
        key_aliases = sorted(names.get(meta["KeyId"], []))
        out.resources.append(scope.resource(
            id=arn, kind=ENCRYPTION_KEY, type="AWS::KMS::Key", name=key_aliases[0] if key_aliases else meta["KeyId"],
            source="kms:DescribeKey",
            attrs={"manager": meta.get("KeyManager"), "state": meta.get("KeyState"),
                   "multi_region": bool(meta.get("MultiRegion", False)),
                   "multi_region_type": config.get("MultiRegionKeyType"),
                   "primary_key": (config.get("PrimaryKey") or {}).get("Arn"),
                   "key_regions": key_regions(meta, scope.region),
                   "aliases": key_aliases if aliases is not None else None,
                   "created_at": iso(meta.get("CreationDate"))}))
    return out


# --- collect ---------------------------------------------------------------------------------
def collect(ctx: TaskContext) -> Inventory:
    client = ctx.client(CLIENT)
    keys = [meta for key_id in get_key_ids(client)
            if (meta := ctx.read("kms:keys", describe_key, client, key_id, about=key_id)) is not None]
    aliases = ctx.read("kms:aliases", get_aliases, client)
    return transform_keys(keys, aliases, ctx.scope)
