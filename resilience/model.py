"""The inventory model: what collectors produce and what the graph is built from.

Collectors emit :class:`Resource` nodes, :class:`Edge` relations and :class:`Coverage`
records into an :class:`Inventory`. The inventory is plain data: it serialises to JSON
(``inventory.json``) so that every analysis can run again offline on a saved snapshot.

Vocabulary (the graph contract every collector and rule shares) is documented in
``docs/graph.md``; the constants below are the single source for it.
"""

from __future__ import annotations

import datetime as dt
import json
import mmap
import os
import shutil
import sys
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from itertools import pairwise
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from . import jsonout
from .coverage_detail import readable

# --- node kinds -------------------------------------------------------------------------
DNS_ZONE = "dns_zone"
DNS_RECORD = "dns_record"
HEALTH_CHECK = "health_check"
LOAD_BALANCER = "load_balancer"
TARGET_GROUP = "target_group"
COMPUTE_GROUP = "compute_group"
INSTANCE = "instance"
FUNCTION = "function"
SUBNET = "subnet"
DATABASE = "database"
GLOBAL_DATABASE = "global_database"
OBJECT_STORE = "object_store"
VOLUME = "volume"
RECOVERY_POINT = "recovery_point"
BACKUP_VAULT = "backup_vault"
BACKUP_PLAN = "backup_plan"
FAULT_EXPERIMENT = "fault_experiment"
RESTORE_TEST = "restore_test"
RESILIENCE_ASSESSMENT = "resilience_assessment"
ASSURANCE_REPORT = "assurance_report"  # a provider's own audit report (metadata only), e.g. from AWS Artifact
EXTERNAL = "external"  # referenced by an inventoried resource but not itself inventoried

NODE_KINDS = frozenset(
    {
        DNS_ZONE, DNS_RECORD, HEALTH_CHECK, LOAD_BALANCER, TARGET_GROUP, COMPUTE_GROUP, INSTANCE,
        FUNCTION, SUBNET, DATABASE, GLOBAL_DATABASE, OBJECT_STORE, VOLUME, RECOVERY_POINT,
        BACKUP_VAULT, BACKUP_PLAN, FAULT_EXPERIMENT, RESTORE_TEST, RESILIENCE_ASSESSMENT, EXTERNAL,
        ASSURANCE_REPORT,
    }
)
# issue 13 (edge, messaging, keys, failover controls): added to NODE_KINDS in their own statement
CDN_DISTRIBUTION = "cdn_distribution"  # CloudFront distribution: routes_to its origins (all needed)
API = "api"  # API Gateway REST/HTTP API: routes_to its integrations (all needed)
QUEUE = "queue"  # SQS queue (regional)
TOPIC = "topic"  # SNS topic (regional)
ENCRYPTION_KEY = "encryption_key"  # KMS key: a copy depends_on (via kms) the key it is encrypted under
ACCELERATOR = "accelerator"  # Global Accelerator: routes_to endpoint groups (any live one serves)
ROUTING_CONTROL = "routing_control"  # Route 53 ARC routing control (a failover switch)
FAILOVER_PLAN = "failover_plan"  # ARC Region switch plan
FAILOVER_EXECUTION = "failover_execution"  # an ARC Region switch plan execution (A1.3 evidence)
NODE_KINDS = NODE_KINDS | {CDN_DISTRIBUTION, API, QUEUE, TOPIC, ENCRYPTION_KEY, ACCELERATOR, ROUTING_CONTROL,
                           FAILOVER_PLAN, FAILOVER_EXECUTION}
# issue 13 (containers, caches, file systems, and the hidden dependencies of a failover)
NETWORK_GATEWAY = "network_gateway"  # NAT gateway, interface VPC endpoint: zonal network paths
CONTAINER_CLUSTER = "container_cluster"  # EKS / ECS cluster (its services and node groups are compute_group)
CACHE = "cache"  # ElastiCache replication group / serverless cache: a serving dependency, not kept data
FILE_SYSTEM = "file_system"  # EFS: data (regional, or One Zone)
SECRET = "secret"  # Secrets Manager secret (reference only, never the value)
PARAMETER = "parameter"  # SSM parameter (metadata only, never the value)
IMAGE_REPOSITORY = "image_repository"  # ECR repository
MACHINE_IMAGE = "machine_image"  # AMI
LAUNCH_TEMPLATE = "launch_template"  # EC2 launch template
NODE_KINDS = NODE_KINDS | {NETWORK_GATEWAY, CONTAINER_CLUSTER, CACHE, FILE_SYSTEM, SECRET, PARAMETER,
                           IMAGE_REPOSITORY, MACHINE_IMAGE, LAUNCH_TEMPLATE}

#: kinds that hold data whose loss is a recovery-point question
DATA_KINDS = frozenset({DATABASE, OBJECT_STORE, VOLUME, FILE_SYSTEM})
#: kinds that serve requests
COMPUTE_KINDS = frozenset({COMPUTE_GROUP, INSTANCE, FUNCTION})

# --- edge kinds -------------------------------------------------------------------------
DEPENDS_ON = "depends_on"  # src needs dst to work (a reference in src's configuration)
ROUTES_TO = "routes_to"  # traffic for src is sent to dst (DNS -> LB -> target group -> compute)
REPLICATES_TO = "replicates_to"  # dst holds a continuously or periodically updated copy of src's data
BACKED_UP_TO = "backed_up_to"  # src's data is backed up into dst (snapshot, plan, vault)
FAILS_OVER_TO = "fails_over_to"  # dst takes over when src fails (DNS failover pair, promotable replica)
MEMBER_OF = "member_of"  # src is a member/part of dst (instance -> ASG, DB instance -> cluster)

EDGE_KINDS = frozenset({DEPENDS_ON, ROUTES_TO, REPLICATES_TO, BACKED_UP_TO, FAILS_OVER_TO, MEMBER_OF})

GLOBAL_REGION = "global"

COVERAGE_STATUSES = ("ok", "denied", "error", "unreachable", "skipped")


@dataclass
class Resource:
    """One inventoried resource: a node of the dependency graph.

    ``id`` is the provider's own identifier (ARN, Azure resource id, GCP full name).
    ``zones`` holds zone *ids* (``mec1-az2``) where the provider gives them, names otherwise.
    ``attrs`` is the normalised configuration that matters for resilience; it never holds
    secret values (references are kept, values dropped). ``source`` names the API call the
    facts came from (``rds:DescribeDBInstances``), ``observed_at`` when (ISO 8601, UTC).
    """

    id: str
    provider: str
    account: str
    region: str
    kind: str
    type: str
    name: str
    source: str
    observed_at: str
    zones: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {self.kind!r} for {self.id}")
        self.zones = tuple(self.zones)


@dataclass
class Edge:
    """A directed relation ``src -[kind]-> dst`` between two resource ids.

    ``dst`` need not be inventoried (a replica in a region outside the scan scope): the graph
    builder then adds an ``external`` placeholder node for it, with the region parsed from its id.
    """

    src: str
    dst: str
    kind: str
    source: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EDGE_KINDS:
            raise ValueError(f"unknown edge kind {self.kind!r} ({self.src} -> {self.dst})")


@dataclass
class Coverage:
    """What one (provider, account, region, service) read returned.

    Every read that fails becomes a record with a non-``ok`` status: a denied region must
    never look like a clean one.
    """

    provider: str
    account: str
    region: str
    service: str
    status: str
    detail: str = ""
    #: the resources whose own reads failed, when the read is made per resource (one web app's settings,
    #: one server's failover groups): only verdicts relying on them are in doubt. Empty: the whole
    #: (account, region, service) scope.
    resources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in COVERAGE_STATUSES:
            raise ValueError(f"unknown coverage status {self.status!r}")
        # the one place a detail is made readable: findings.json, the console and the reports print this
        self.detail = readable(self.detail)
        if not isinstance(self.resources, tuple):
            self.resources = tuple(self.resources)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def applies_to(self, node: str) -> bool:
        """Whether this record can hide a fact about ``node``: a scope-wide record always; a per-resource
        one for the resource itself and what belongs to it (``id/...``, ``id#...``; ids compared
        case-insensitively, as ARM's are)."""
        if not self.resources:
            return True
        lowered = node.lower()
        return any(lowered == r.lower() or lowered.startswith((r.lower() + "/", r.lower() + "#"))
                   for r in self.resources)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": self.provider, "account": self.account, "region": self.region,
                               "service": self.service, "status": self.status, "detail": self.detail}
        if self.resources:
            out["resources"] = list(self.resources)
        return out


@dataclass
class Inventory:
    """Everything one collection produced, serialisable to ``inventory.json``."""

    resources: list[Resource] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    #: the file :meth:`read` built it from, as it was then (path, size, modification time), when the records hold
    #: what that file says (no coverage detail had to be cleaned): :meth:`write_json` then copies that file
    origin: tuple[Path, int, int] | None = field(default=None, compare=False, repr=False)

    SCHEMA = "resilience.inventory/v1"

    def extend(self, other: Inventory) -> None:
        self.origin = None  # no longer what the file says
        self.resources.extend(other.resources)
        self.edges.extend(other.edges)
        self.coverage.extend(other.coverage)

    def to_dict(self) -> dict[str, Any]:
        return self._document(shared=False)

    def _document(self, *, shared: bool) -> dict[str, Any]:
        """:meth:`to_dict`; ``shared``: for writing only, each record that is already as written (fields in
        order, tags sorted) is its own ``__dict__``, not a copy (a million resources copied field by field
        was a second in ten of writing the snapshot)."""
        shallow, resource_dict = (_shared, _shared_resource) if shared else (_shallow, _resource_dict)
        return {
            "schema": self.SCHEMA,
            "meta": self.meta,
            "resources": [resource_dict(r) for r in sorted(self.resources, key=RESOURCE_ORDER)],
            "edges": [shallow(e) for e in sorted(self.edges, key=EDGE_ORDER)],
            "coverage": [
                c.to_dict()
                for c in sorted(
                    self.coverage, key=lambda c: (c.provider, c.account, c.region, c.service)
                )
            ],
        }

    def to_json(self) -> str:
        return jsonout.dumps(self._document(shared=True))

    def write_json(self, path: Path) -> None:
        """``inventory.json``: :meth:`to_json` and a newline, written a record at a time. For an inventory
        :meth:`read` from a file that is unchanged since, that file as it is, byte for byte: the snapshot the
        analysis ran on, whose digest an offline simulation already reports (and no second encoding of a
        snapshot of a gigabyte and more, issue 17). Whoever changes such an inventory in place sets
        ``origin`` to ``None`` (:meth:`extend` does)."""
        if not self._copy_origin(Path(path)):
            jsonout.write(self._document(shared=True), path)

    def _copy_origin(self, target: Path) -> bool:
        if self.origin is None:
            return False
        source, size, modified = self.origin
        try:
            now = source.stat()
            if (now.st_size, now.st_mtime_ns) != (size, modified):
                return False
            if not (target.exists() and os.path.samefile(source, target)):
                shutil.copyfile(source, target)
        except OSError:  # written the usual way instead, which reports a problem with the target
            return False
        return True

    def observed_until(self) -> dt.datetime | None:
        """When the reads of this inventory ended (``meta.finished_at``, else ``started_at``; a time without
        a zone is UTC), or ``None`` when it does not say."""
        for key in ("finished_at", "started_at"):
            value = self.meta.get(key)
            if isinstance(value, str):
                try:
                    stamp = dt.datetime.fromisoformat(value)
                except ValueError:
                    continue
                return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        return None

    @classmethod
    def from_json(cls, raw: bytes | str) -> Inventory:
        """An ``inventory.json`` text: parsed by msgspec (a million resources: a gigabyte of JSON, parsed several
        times faster than by the standard library); a text it rejects is parsed again by the standard library,
        whose error message (or more lenient reading) is the one given."""
        return cls._from_parsed(_parse(raw))

    @classmethod
    def read(cls, path: str | Path) -> Inventory:
        """:meth:`from_json` of the file at ``path``: its text parsed where the kernel keeps it
        (:func:`_parse_file`) and not held while the records are built."""
        path = Path(path)
        with path.open("rb") as fh:
            before = os.fstat(fh.fileno())
            data = _parse_file(fh, before.st_size)
        details = [c.get("detail", "") for c in data.get("coverage") or () if isinstance(c, dict)] \
            if isinstance(data, dict) else []
        inventory = cls._from_parsed(data)
        # a detail made readable here (a page's markup, a credential) differs from the file's: it is written anew
        if [c.detail for c in inventory.coverage] == details:
            inventory.origin = (path.resolve(), before.st_size, before.st_mtime_ns)
        return inventory

    @classmethod
    def _from_parsed(cls, data: Any) -> Inventory:
        """:meth:`from_dict` of a document parsed here, that nobody else holds: its records are interned and
        completed in place, not copied before each becomes a record."""
        return cls.from_dict(data, _owned=True)

    @classmethod
    def from_dict(cls, data: Any, *, _owned: bool = False) -> Inventory:
        """The inverse of :meth:`to_dict`; anything else raises ``ValueError`` naming the problem."""
        if not isinstance(data, dict):
            raise ValueError(f"not an inventory snapshot (a JSON {type(data).__name__}, expected an object "
                             f"with schema {cls.SCHEMA})")
        if data.get("schema") != cls.SCHEMA:
            raise ValueError(f"not an inventory snapshot (schema {data.get('schema')!r}, expected {cls.SCHEMA})")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise ValueError("'meta' must be an object")
        for key, value in meta.items():
            if key in _META_LISTS:
                _strings(value, f"meta.{key}")
            elif key in _META_STRINGS and not isinstance(value, str):
                raise ValueError(f"'meta.{key}' must be a string")
        return cls(
            resources=[Resource(**_interned(r, _RESOURCE_REPEATS, _owned, zones=tuple(
                sys.intern(z) for z in _strings(r.get("zones", ()), "zones"))))
                for r in _records(data, "resources", Resource)],
            edges=[Edge(**_interned(e, _EDGE_REPEATS, _owned)) for e in _records(data, "edges", Edge)],
            coverage=[Coverage(**c) for c in _records(data, "coverage", Coverage)],
            meta=dict(meta),
        )


def _parse(raw: bytes | str) -> Any:
    """``raw`` parsed by msgspec, which builds the Python objects as it reads. orjson (the writer) first builds a
    document of its own the size of several inputs: at a million resources a transient 2.5 GB more and 13 s
    more, mostly in page faults (issue 17)."""
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:  # NaN, a number out of range, a lone surrogate, a byte order mark, or an error
        return json.loads(raw)


def _parse_file(fh: BinaryIO, size: int) -> Any:
    """:func:`_parse` of an open file's text, read through a memory map: the kernel's pages of the file are
    parsed where they are, not copied into a gigabyte of the process's own memory first (at a million
    resources that copy cost about 5 s of page faults, issue 17). An empty file cannot be mapped."""
    if not size:
        return _parse(fh.read())
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped, memoryview(mapped) as view:
        try:
            return msgspec.json.decode(view)
        except msgspec.DecodeError:
            return json.loads(bytes(view))  # the standard library's message, or its more lenient reading


#: fields whose values repeat across a large estate (a few dozen regions, kinds, accounts, sources): one
#: string object each, not one per resource, as JSON parsing would leave them
_RESOURCE_REPEATS = ("provider", "account", "region", "kind", "type", "source", "observed_at")
_EDGE_REPEATS = ("kind", "source")


def _interned(item: dict[str, Any], names: tuple[str, ...], owned: bool, **replaced: Any) -> dict[str, Any]:
    """``item`` with the strings of ``names`` interned and ``replaced`` set: a copy, or ``item`` itself when
    ``owned`` (parsed here, held by nobody else)."""
    out = item if owned else {**item}
    out.update(replaced)
    for n in names:
        value = out.get(n)
        if value.__class__ is str:
            out[n] = sys.intern(value)
    return out


#: the meta fields analysis reads, and their JSON types (others are kept as they are)
_META_LISTS = frozenset({"providers", "accounts", "regions_scanned", "regions"})
_META_STRINGS = frozenset({"started_at", "finished_at", "identity"})


def _records(data: dict[str, Any], key: str, kind: type) -> list[dict[str, Any]]:
    """``data[key]`` as a list of objects whose keys are ``kind``'s fields (all required ones present)."""
    if key not in data:
        raise ValueError(f"no '{key}' list")
    items = data[key]
    if not isinstance(items, list):
        raise ValueError(f"'{key}' must be a list")
    known = {f.name: f for f in fields(kind)}
    required = {n for n, f in known.items() if f.default is MISSING and f.default_factory is MISSING}
    known_names = known.keys()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"{key}[{i}] must be an object")
        if not item.keys() <= known_names:
            unknown = sorted(set(item) - set(known), key=str)
            raise ValueError(f"{key}[{i}] has unknown field {unknown[0]!r}")
        if not required <= item.keys():
            absent = sorted(required - set(item))
            raise ValueError(f"{key}[{i}] has no {absent[0]!r}")
        for name, value in item.items():
            if value.__class__ is str:
                continue
            if name in ("tags", "attrs"):
                if not isinstance(value, dict):
                    raise ValueError(f"{key}[{i}].{name} must be an object")
                if name == "tags" and not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
                    raise ValueError(f"{key}[{i}].tags must map strings to strings")
            elif name == "resources":
                if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    raise ValueError(f"{key}[{i}].resources must be a list of strings")
            elif name != "zones" and not isinstance(value, str):
                raise ValueError(f"{key}[{i}].{name} must be a string")
    return items


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{what}' must be a list of strings")
    return list(value)


#: the order of inventory.json's resources and edges (and of the graph built from an inventory)
RESOURCE_ORDER = attrgetter("id")
EDGE_ORDER = attrgetter("src", "dst", "kind")


def _shallow(record: Any) -> dict[str, Any]:
    """A dataclass record as a dict of its fields, sharing their values (it is written, not kept)."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


def _shared(record: Any) -> dict[str, Any]:
    """:func:`_shallow` for writing: the record's own ``__dict__`` when it holds exactly its fields, in
    their order (as ``__init__`` sets them)."""
    own = record.__dict__
    if tuple(own) == _field_names(type(record)):
        return own
    return _shallow(record)


def _shared_resource(r: Resource) -> dict[str, Any]:
    """:func:`_resource_dict` for writing (its zones, a tuple, are written as a list would be)."""
    tags = r.tags
    if len(tags) > 1 and any(a > b for a, b in pairwise(tags)):
        return _resource_dict(r)
    return _shared(r)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _resource_dict(r: Resource) -> dict[str, Any]:
    d = _shallow(r)
    d["zones"] = list(r.zones)
    d["tags"] = dict(sorted(r.tags.items()))  # APIs return tags in no fixed order; the snapshot must not vary
    return d
