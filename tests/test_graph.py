import json

from hypothesis import given, settings
from hypothesis import strategies as st

from resilience.graph import build_graph, region_from_id, workload_names, workload_nodes
from resilience.model import BACKED_UP_TO, REPLICATES_TO, ROUTES_TO, Edge, Inventory
from resilience.policy import parse_policy
from tests.conftest import res

BUCKET = "arn:aws:s3:::payments-docs"
REPLICA = "arn:aws:s3:::payments-docs-replica"
DB = "arn:aws:rds:me-central-1:123456789012:db:pay"
COPY = "arn:aws:rds:eu-central-1:123456789012:snapshot:pay-copy"
LB = "arn:aws:elasticloadbalancing:me-central-1:123456789012:loadbalancer/app/pay/1"
RECORD = "arn:aws:route53:::hostedzone/Z1/record/pay.example.com/A/primary"

POLICY = parse_policy(
    "version: 1\nworkloads:\n  payments:\n    match: {tags: {app: payments}}\n  batch:\n"
    "    match: {resources: ['arn:aws:rds:me-central-1:123456789012:db:pay']}\n", "p.yaml")


def _inventory():
    return Inventory(
        resources=[
            res(BUCKET, "object_store", tags={"app": "payments"}),
            res(DB, "database", zones=("mec1-az1",), tags={"app": "payments"}),
            res(LB, "load_balancer", tags={"resilience:workload": "payments"}),
            res(RECORD, "dns_record", region="global"),
        ],
        edges=[
            Edge(BUCKET, REPLICA, REPLICATES_TO, "s3:GetBucketReplication"),
            Edge(DB, COPY, BACKED_UP_TO, "rds:DescribeDBSnapshots"),
            Edge(RECORD, LB, ROUTES_TO, "route53:ListResourceRecordSets"),
        ],
    )


def test_unknown_edge_targets_become_stub_nodes_with_region_from_arn():
    g = build_graph(_inventory(), POLICY)
    assert g.nodes[COPY]["stub"] and g.nodes[COPY]["kind"] == "external"
    assert g.nodes[COPY]["region"] == "eu-central-1"
    assert g.nodes[REPLICA]["region"] == "unknown"  # bucket ARNs carry no region
    assert g.has_edge(BUCKET, REPLICA, key=REPLICATES_TO)


def test_workloads_from_tags_ids_and_inheritance():
    g = build_graph(_inventory(), POLICY)
    assert g.nodes[DB]["workloads"] == ("batch", "payments")
    assert g.nodes[LB]["workloads"] == ("payments",)  # resilience:workload tag
    assert g.nodes[REPLICA]["workloads"] == ("payments",)  # a copy belongs with its source
    assert g.nodes[COPY]["workloads"] == ("batch", "payments")
    assert g.nodes[RECORD]["workloads"] == ("payments",)  # DNS inherits from what it routes to
    assert workload_names(g, POLICY) == ["batch", "payments"]
    assert RECORD in workload_nodes(g, "payments")


def test_a_record_selected_by_its_zones_resource_group_joins_the_workload_it_routes_to():
    """Blind azure11: a shared DNS zone in storefront's resource group made every record in it a storefront member,
    the portal record (which routes to portal's Front Door) too, and portal's outage became storefront's. A record
    selected by its group alone joins what it routes to; the group's workload keeps only a record that routes to
    no workload's resource, and a record it selects by tag or id stays."""
    zone = "/subscriptions/s/resourceGroups/rg-storefront/providers/Microsoft.Network/dnszones/shop.com"
    www, portal, legacy, tagged = (f"{zone}/CNAME/{n}" for n in ("www", "portal", "legacy", "tagged"))
    shop_lb = "/subscriptions/s/resourceGroups/rg-storefront/providers/Microsoft.Network/loadBalancers/lb"
    front_door = "/subscriptions/s/resourceGroups/rg-portal/providers/Microsoft.Cdn/profiles/afd-portal"
    policy = parse_policy(
        "version: 1\nworkloads:\n  storefront:\n    match: {resource_groups: [rg-storefront]}\n"
        "  portal:\n    match: {resource_groups: [rg-portal]}\n", "p.yaml")
    inventory = Inventory(
        resources=[res(n, "dns_record", region="global") for n in (www, portal, legacy)]
        + [res(tagged, "dns_record", region="global", tags={"resilience:workload": "storefront"}),
           res(shop_lb, "load_balancer", region="westeurope"),
           res(front_door, "cdn_distribution", region="global")],
        edges=[Edge(www, shop_lb, ROUTES_TO, "dns"), Edge(portal, front_door, ROUTES_TO, "dns"),
               Edge(tagged, front_door, ROUTES_TO, "dns")],
    )
    g = build_graph(inventory, policy)
    assert g.nodes[www]["workloads"] == ("storefront",)
    assert g.nodes[portal]["workloads"] == ("portal",)
    assert g.nodes[legacy]["workloads"] == ("storefront",)  # routes to no workload: its group's
    assert g.nodes[tagged]["workloads"] == ("portal", "storefront")  # declared by its own tag


def test_region_from_id():
    assert region_from_id("arn:aws:dynamodb:me-south-1:1:table/t") == "me-south-1"
    assert region_from_id("arn:aws:route53:::healthcheck/1") == "global"
    assert region_from_id("/subscriptions/x/resourceGroups/rg") == "unknown"


def test_inventory_round_trips_through_json():
    inv = _inventory()
    inv.meta["started_at"] = "2026-11-20T06:00:00+00:00"
    import json

    again = Inventory.from_dict(json.loads(inv.to_json()))
    assert again.to_dict() == inv.to_dict()


def test_inventory_snapshot_is_written_as_the_standard_library_would(tmp_path):
    """The snapshot hands orjson a record's own fields where they are already as written: the text must stay
    what ``json.dumps(to_dict(), indent=2)`` gives, tags sorted, whatever the records hold."""
    import json

    inv = _inventory()
    inv.resources[0].tags = {"b": "2", "a": "1", "é": "x"}  # unsorted, and not ASCII
    inv.resources[1].tags = {"a": "1", "b": "2"}
    inv.resources[1].extra_note = "set on the object, not a field"  # not written
    inv.edges[0].attrs = {"z": 1, "a": [1, 2]}
    path = tmp_path / "inventory.json"
    inv.write_json(path)
    assert path.read_text(encoding="ascii") == json.dumps(inv.to_dict(), indent=2) + "\n"
    assert list(inv.resources[0].tags) == ["b", "a", "é"]  # the record itself is not changed
    assert inv.to_json() == json.dumps(inv.to_dict(), indent=2)


def test_graph_is_filled_as_networkx_would_fill_it():
    """build_graph fills networkx's node and adjacency dicts itself (issue 17): the graph must equal one built
    through add_node/add_edge, duplicates, self-loops and referenced-only ends included, in the order
    inventory.json lists them (resources by id, edges by their ends), whatever order the inventory holds."""
    import networkx as nx

    from resilience.graph import _stub
    from resilience.model import EDGE_ORDER, RESOURCE_ORDER

    inv = _inventory()
    inv.resources.append(res(DB, "database", zones=("mec1-az2",), attrs={"engine": "postgres"}))  # listed twice
    inv.resources[0].note = "set on the object, not a field"  # not node data
    inv.edges += [Edge(DB, COPY, BACKED_UP_TO, "rds:DescribeDBSnapshots", attrs={"again": True}),  # same edge
                  Edge(DB, COPY, REPLICATES_TO, "rds:DescribeDBInstances"),  # same ends, another kind
                  Edge(LB, LB, ROUTES_TO, "elbv2:DescribeRules")]  # a self-loop
    expected = nx.MultiDiGraph()
    for r in sorted(inv.resources, key=RESOURCE_ORDER):
        fields_ = {k: v for k, v in r.__dict__.items() if k != "note"}
        expected.add_node(r.id, **{**fields_, "zones": tuple(r.zones), "workloads": (), "stub": False})
    for e in sorted(inv.edges, key=EDGE_ORDER):
        for end in (e.src, e.dst):
            if end not in expected:
                expected.add_node(end, **_stub(end))
        expected.add_edge(e.src, e.dst, key=e.kind, kind=e.kind, source=e.source, attrs=dict(e.attrs))
    expected.graph["meta"] = dict(inv.meta)
    got = build_graph(inv)  # no policy: workloads from tags and inheritance only, the same on both
    for node in got:
        got.nodes[node]["workloads"] = ()
    assert nx.utils.graphs_equal(got, expected)
    assert list(got.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert list(got.in_edges(COPY, keys=True, data=True)) == list(expected.in_edges(COPY, keys=True, data=True))
    assert all(got._succ[u][v] is got._pred[v][u] for u, v in got.edges())  # one key dict per pair, as networkx
    assert got.nodes[DB]["zones"] == ("mec1-az2",) and got.nodes[DB]["attrs"] == {"engine": "postgres"}


def test_an_inventory_read_from_a_file_is_the_one_its_text_gives(tmp_path):
    """Inventory.read builds the records from the parsed document itself (nobody else holds it); from_dict,
    given a document the caller keeps, leaves it as it was."""
    import copy
    import json

    from resilience.model import Coverage

    inv = _inventory()
    inv.resources[1].tags = {"b": "2", "a": "1"}
    inv.coverage = [Coverage("aws", "123456789012", "me-central-1", "backup", "denied", "AccessDenied",
                             resources=("arn:aws:backup:me-central-1:123456789012:backup-vault:main",)),
                    Coverage("aws", "123456789012", "me-central-1", "rds", "ok")]  # in the order written
    path = tmp_path / "inventory.json"
    inv.write_json(path)
    assert Inventory.read(path) == Inventory.from_json(path.read_bytes())
    assert Inventory.read(path).coverage == inv.coverage  # written without its empty ``resources``: the default
    assert Inventory.read(path).to_dict() == inv.to_dict()
    document = json.loads(path.read_text())
    kept = copy.deepcopy(document)
    assert Inventory.from_dict(document) == Inventory.read(path)
    assert document == kept and isinstance(document["resources"][1]["zones"], list)


def test_a_file_that_is_not_an_inventory_fails_as_its_text_does(tmp_path):
    """Inventory.read parses the file through a memory map: an empty file (which cannot be mapped), broken JSON
    and JSON only the standard library reads (NaN) give what from_json gives for the same text."""
    import pytest

    for i, text in enumerate((b"", b"{", b'{"schema": NaN}', b"[1, 2]")):
        path = tmp_path / f"bad-{i}.json"
        path.write_bytes(text)
        with pytest.raises(ValueError) as expected:
            Inventory.from_json(text)
        with pytest.raises(ValueError) as got:
            Inventory.read(path)
        assert (type(got.value), str(got.value)) == (type(expected.value), str(expected.value))


def test_graphml_is_the_same_whatever_order_the_tags_were_read_in(tmp_path):
    """A cloud API lists a resource's tags in no fixed order: graph.graphml must not follow it."""
    import networkx as nx

    from resilience.graph import write_graphml

    def written(tags, name):
        graph = nx.MultiDiGraph()
        graph.add_node("db", kind="database", tags=tags, attrs={1: "a", "b": 2})  # keys of two types: as they come
        write_graphml(graph, str(tmp_path / name))
        return (tmp_path / name).read_bytes()

    assert written({"env": "prod", "app": "shop"}, "a.graphml") == written({"app": "shop", "env": "prod"}, "b.graphml")
    assert b'{"app": "shop", "env": "prod"}' in written({"env": "prod", "app": "shop"}, "c.graphml")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=_JSON_VALUES, ensure_ascii=st.booleans())
def test_an_inventory_text_is_read_as_the_standard_library_reads_it(value, ensure_ascii):
    """inventory.json is parsed by msgspec, not the standard library: any JSON value (integers beyond 64 bits,
    floats beyond range written as 1e400 by nobody but read as infinity, escaped lone surrogates, any text) must
    come back as json.loads gives it, through the file (memory map) and through from_json alike."""
    import tempfile

    from resilience.model import _parse, _parse_file

    text = json.dumps(value, ensure_ascii=ensure_ascii).encode()
    expected = json.loads(text)
    assert _parse(text) == expected and _parse(text.decode()) == expected
    with tempfile.TemporaryFile() as fh:
        fh.write(text)
        fh.flush()
        assert _parse_file(fh, len(text)) == expected


def test_numbers_and_texts_only_the_standard_library_reads_are_read_as_it_reads_them():
    from resilience.model import _parse

    for text in (b"1e400", b'["\\ud800", -1e999]', b"123456789012345678901234567890", b'{"a": 1, "a": 2}'):
        assert repr(_parse(text)) == repr(json.loads(text))
