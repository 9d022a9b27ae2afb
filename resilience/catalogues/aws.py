"""AWS naming facts the graph reads without any SDK: the region a managed data store's endpoint host names.

A configuration that reaches a database or cache by host name (``REDIS_HOST``, a DSN) names its region in the
host: RDS, Aurora and DocumentDB (``ID.[cluster-]HASH.REGION.rds|docdb.amazonaws.com``), MemoryDB
(``clustercfg.NAME.HASH.memorydb.REGION.amazonaws.com``) and ElastiCache, whose hosts carry the region's short
code, the prefix of its zone ids (``NAME.HASH.0001.mec1.cache.amazonaws.com``: ``mec1`` is me-central-1, as its
zone ids ``mec1-az1``... are; ``apne1`` ap-northeast-1, ``usgw1`` us-gov-west-1).
"""

from __future__ import annotations

import re

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}"
_FULL_REGION_HOST = re.compile(rf"^(?:.+\.)?(?P<region>{_REGION})\.(?:rds|docdb)\.amazonaws\.com(?:\.cn)?$"
                               rf"|^(?:.+\.)?memorydb\.(?P<mregion>{_REGION})\.amazonaws\.com(?:\.cn)?$")
_CACHE_HOST = re.compile(r"^(?:.+\.)?(?P<geo>[a-z]{2})(?P<parts>[a-z]{1,4})(?P<number>\d{1,2})\.cache\.amazonaws\.com"
                         r"(?:\.cn)?$")
#: the letters each part of a region name gives its zone-id prefix (``ap-northeast-1`` -> ``apne1``)
_PARTS = {"g": "gov", "ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest", "n": "north",
          "s": "south", "e": "east", "w": "west", "c": "central"}


def region_of_short_code(geo: str, parts: str, number: str) -> str | None:
    """``me`` ``c`` ``1`` -> ``me-central-1``: a zone-id prefix read back (two-letter parts first), ``None`` when
    its letters spell no region part."""
    words = []
    while parts:
        for size in (2, 1):
            word = _PARTS.get(parts[:size])
            if word and not (size == 1 and parts[:2] in _PARTS):
                words.append(word)
                parts = parts[size:]
                break
        else:
            return None
    return f"{geo}-{'-'.join(words)}-{number}" if words else None


def region_of_endpoint_host(host: str) -> str | None:
    """The region a managed data store's endpoint ``host`` names (RDS, Aurora, DocumentDB, MemoryDB,
    ElastiCache); ``None`` for a host of any other form."""
    host = host.strip().rstrip(".").lower()
    full = _FULL_REGION_HOST.match(host)
    if full:
        return full["region"] or full["mregion"]
    cache = _CACHE_HOST.match(host)
    if cache:
        return region_of_short_code(cache["geo"], cache["parts"], cache["number"])
    return None


_RDS_ENDPOINT = re.compile(rf"^(?P<id>[a-z][a-z0-9-]*)\.(?P<cluster>cluster-(?:ro-)?)?[a-z0-9]+\."
                           rf"(?P<region>{_REGION})\.rds\.amazonaws\.com(?P<cn>\.cn)?$")


def rds_endpoint_arn(host: str, account: str, partition: str = "aws") -> str | None:
    """The ARN of the RDS instance (``ID.HASH.REGION.rds.amazonaws.com``) or Aurora cluster
    (``ID.cluster[-ro]-HASH.REGION...``) an endpoint ``host`` names, in ``account`` (a host does not carry one);
    ``None`` for any other host (a custom cluster endpoint is named after itself, not its cluster)."""
    match = _RDS_ENDPOINT.match(host.strip().rstrip(".").lower())
    if not match:
        return None
    kind = "cluster" if match["cluster"] else "db"
    return f"arn:{'aws-cn' if match['cn'] else partition}:rds:{match['region']}:{account}:{kind}:{match['id']}"

