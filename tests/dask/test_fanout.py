"""scan --dask (issue 17): the analysis on a Dask LocalCluster of worker processes, in batches of workloads,
gives byte-identical findings to the single process (the demo, and an estate of the scale benchmark's
generator); a scheduler that does not answer fails fast with an input error."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from pathlib import Path

import pytest

from resilience import jsonout
from resilience.errors import InputError
from resilience.fanout import SCHEDULER_ENV, WORKLOAD_BATCH, batch_size, cluster, scheduler_address
from resilience.graph import build_graph, workload_names
from resilience.model import Inventory
from resilience.policy import load_policy, parse_policy
from resilience.results import findings_document
from resilience.scan import analyse
from tests.conftest import generate_estate

pytest.importorskip("distributed")

SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo_estate():
    """The demo's inventory (AWS through moto, Azure and GCP recorded) and policy."""
    from resilience.demo import add_other_clouds, build_and_collect, demo_policy_text

    _estate, inventory = build_and_collect()
    add_other_clouds(inventory)
    return inventory, parse_policy(demo_policy_text(), "demo")


def _document(result) -> str:
    return jsonout.dumps(findings_document(result))


@pytest.fixture(scope="module")
def local_cluster():
    with cluster("local") as fanout:
        yield fanout


@pytest.fixture(scope="module")
def generated_estate(demo_estate, tmp_path_factory):
    """An estate of ``benchmarks/generate_inventory.py`` (the demo replicated into accounts and region
    triplets, seeded): 1,500 resources, some thirty workloads; its template is the demo built above."""
    made = generate_estate(demo_estate[0], 1500, tmp_path_factory.mktemp("generated"))
    inventory = Inventory.from_dict(json.loads(Path(made["path"]).read_text(encoding="utf-8")))
    return inventory, load_policy(made["policy"])


def test_analysis_on_a_local_cluster_is_byte_identical(demo_estate, local_cluster):
    inventory, policy = demo_estate
    here = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=("me-central-1",))
    workers = local_cluster.client.scheduler_info()["workers"]
    assert len(workers) >= 1  # worker processes, not this one
    there = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=("me-central-1",), fanout=local_cluster)
    assert [f.id for f in there.findings] == [f.id for f in here.findings]
    assert _document(there) == _document(here)
    assert len(here.findings) > 100 and any(f.status == "fail" for f in here.findings)


def test_a_generated_estate_in_many_batches_is_byte_identical(generated_estate, local_cluster):
    inventory, policy = generated_estate
    names = workload_names(build_graph(inventory, policy), policy)
    assert len(names) > 3 * batch_size(len(names), local_cluster.slots())  # several batches per worker
    here = analyse(inventory, policy, scan_time=SCAN_TIME)
    there = analyse(inventory, policy, scan_time=SCAN_TIME, fanout=local_cluster)
    assert _document(there) == _document(here)
    assert [w["name"] for w in there.workloads] == names
    rules = {f.rule for f in here.findings}
    assert {"RES-OBJECTIVE-002", "RES-TEST-001", "RES-REGIONAL-001", "RES-ZONAL-001", "RES-CORRELATED-002"} <= rules


def test_a_worker_with_several_threads_gives_the_same_findings(generated_estate):
    """Teams' workers often run several threads: the analysis tasks of one process take turns (the memos they
    share are plain dicts), and the answer is the same."""
    from distributed import Client, LocalCluster

    from resilience.fanout import Fanout

    inventory, policy = generated_estate
    here = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=("me-central-1",))
    with LocalCluster(n_workers=1, threads_per_worker=4, processes=False, dashboard_address=":0") as local, \
            Client(local) as client:
        there = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=("me-central-1",),
                        fanout=Fanout(client))
    assert _document(there) == _document(here)


def test_batches_keep_every_worker_busy_and_stay_bounded():
    assert batch_size(559, 2) == 94  # 6 batches: 3 per worker
    assert batch_size(6084, 2) == WORKLOAD_BATCH
    assert batch_size(5, 8) == 1 and batch_size(0, 2) == 1


def test_a_dead_scheduler_is_an_input_error_within_the_timeout():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(InputError, match="no Dask scheduler answered"), cluster(f"tcp://127.0.0.1:{port}"):
        pass
    assert time.monotonic() - start < 30


def test_the_flag_wins_over_the_environment(monkeypatch):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert scheduler_address(None) is None
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://scheduler:8786")
    assert scheduler_address(None) == "tcp://scheduler:8786"
    assert scheduler_address("local") == "local"
