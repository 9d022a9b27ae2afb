import datetime as dt
import gc
import importlib.util
from pathlib import Path

import pytest

from resilience.model import Inventory, Resource

SCAN_TIME = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)


def res(rid: str, kind: str, *, region: str = "me-central-1", zones=(), tags=None, attrs=None,
        type_: str = "AWS::Test::Thing", account: str = "123456789012") -> Resource:
    """A resource for graph-level tests: only the fields that matter are given."""
    return Resource(id=rid, provider="aws", account=account, region=region, kind=kind, type=type_,
                    name=rid.rsplit("/", 1)[-1].rsplit(":", 1)[-1], source="test:Describe",
                    observed_at=SCAN_TIME.isoformat(), zones=tuple(zones), tags=tags or {}, attrs=attrs or {})


def generate_estate(template: Inventory, resources: int, folder: Path, seed: int = 7) -> dict:
    """``benchmarks/generate_inventory.py`` (the scale benchmark's estates) replicating ``template`` into
    ``resources`` resources in ``folder``: what its ``generate`` returns (the inventory's and policy's paths)."""
    spec = importlib.util.spec_from_file_location(
        "generate_inventory", Path(__file__).resolve().parents[1] / "benchmarks" / "generate_inventory.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.TEMPLATE = folder / "template-inventory.json"
    generator.TEMPLATE.write_text(template.to_json())
    return generator.generate(resources, seed, folder / f"inventory-{resources}.json")


@pytest.fixture(autouse=True)
def _unfrozen_gc():
    """The scan command freezes its objects for the garbage collector (cli.paused_gc: the process ends after
    its reports); a test process runs many commands, so what they froze is handed back after each test."""
    yield
    gc.unfreeze()


@pytest.fixture
def scan_time():
    return SCAN_TIME
