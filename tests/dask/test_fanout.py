"""scan --dask (issue 17): the analysis on a Dask LocalCluster of worker processes gives byte-identical
findings to the single process; a scheduler that does not answer fails fast with an input error."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest

from resilience import jsonout
from resilience.errors import InputError
from resilience.fanout import SCHEDULER_ENV, cluster, scheduler_address
from resilience.policy import parse_policy
from resilience.results import findings_document
from resilience.scan import analyse

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


def test_analysis_on_a_local_cluster_is_byte_identical(demo_estate):
    inventory, policy = demo_estate
    here = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=("me-central-1",))
    with cluster("local") as fanout:
        workers = fanout.client.scheduler_info()["workers"]
        assert len(workers) >= 1  # worker processes, not this one
        there = analyse(inventory, policy, scan_time=SCAN_TIME, audited_regions=("me-central-1",), fanout=fanout)
    assert [f.id for f in there.findings] == [f.id for f in here.findings]
    assert _document(there) == _document(here)
    assert len(here.findings) > 100 and any(f.status == "fail" for f in here.findings)


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
