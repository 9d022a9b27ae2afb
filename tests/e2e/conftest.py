"""End-to-end fixtures: a moto server in a thread of this process, an estate built against it,
and a runner for the real ``resilience`` command in a subprocess with a clean environment."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from resilience.demo import moto_gaps
from resilience.demo.estate import (
    HOME,
    Estate,
    build_checkout,
    build_fault_experiments,
    build_fx_rates,
    build_payments,
    build_shop_api,
)

FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAE2ETESTE2ETEST00", "AWS_SECRET_ACCESS_KEY": "e2e-secret-not-real"}


def resilience_command() -> list[str]:
    """The installed console script beside this interpreter (``.venv/bin/resilience``)."""
    script = Path(sys.executable).with_name("resilience")
    if script.exists():
        return [str(script)]
    found = shutil.which("resilience")
    return [found] if found else [sys.executable, "-m", "resilience"]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No inherited AWS_* (or anything else): PATH, an empty HOME, no config files, no IMDS."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": str(home / "no-such-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-such-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    out: Path


def run_cli(args: list[str], env: dict[str, str], out: Path, timeout: float = 240) -> Run:
    proc = subprocess.run([*resilience_command(), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr, out)


class EndpointSession:
    """A boto3 session whose clients all talk to one endpoint (the moto server)."""

    def __init__(self, endpoint: str) -> None:
        self._session = boto3.Session(region_name=HOME, **{k.lower(): v for k, v in FAKE_KEYS.items()})
        self.endpoint = endpoint

    def client(self, service: str, region_name: str | None = None, **kwargs: Any) -> Any:
        return self._session.client(service, region_name=region_name or HOME, endpoint_url=self.endpoint, **kwargs)


def _complete_in_process(fis, experiment_id: str) -> None:
    from moto.moto_api import state_manager

    state_manager.set_transition(model_name="fis::experiment", transition={"progression": "immediate"})
    try:
        fis.get_experiment(id=experiment_id)
    finally:
        state_manager.unset_transition("fis::experiment")


@pytest.fixture(scope="module")
def moto_server():
    """``ThreadedMotoServer`` on a free port (with the demo's stand-ins for moto's gaps)."""
    server_mod = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one INFO line per request otherwise
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "true")  # FIS in me-central-1
        for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            mp.delenv(key, raising=False)
        with moto_gaps.patched():
            moto_gaps.fresh_backends()
            server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            host, port = server.get_host_and_port()
            try:
                yield f"http://{host}:{port}"
            finally:
                server.stop()
                moto_gaps.fresh_backends()


@pytest.fixture(scope="module")
def estate(moto_server) -> Estate:
    """A small estate on the server: payments (me-central-1 + eu-central-1), checkout, fx-rates, FIS, and the
    containerised shop-api (issue 13: ECS, ECR, Secrets Manager, ElastiCache, EFS through the server)."""
    session = EndpointSession(moto_server)
    built = Estate()
    for builder in (build_payments, build_checkout, build_fx_rates, build_shop_api):
        builder(session, built)
    build_fault_experiments(session, built, complete=_complete_in_process)
    return built


@pytest.fixture
def server_env(moto_server, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return clean_env(home, AWS_ENDPOINT_URL=moto_server, AWS_DEFAULT_REGION=HOME, **FAKE_KEYS)
