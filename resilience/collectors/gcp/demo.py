"""The demo project: recorded Cloud Asset responses served locally, read by the real SDK (REST).

Planted in project ``gulf-retail-prod``:
- ``orders-sql``: Cloud SQL ``ZONAL`` in me-central1 (Doha), no replica; daily backups in me-central1,
  the newest successful run 20 hours before the scan (Cloud SQL Admin ``backupRuns.list``);
- ``shop-gke``: zonal GKE cluster in me-central1-a;
- ``loyalty-ledger``: multi-region (eur3) Spanner instance; its database ``points`` backed up every 12 hours
  by a backup schedule, the newest backup 5 hours old (Spanner ``backups.list``, ``backupSchedules.list``);
- ``rewards``: Firestore in me-central1 without point-in-time recovery, backups or a backup schedule;
- ``gulf-retail-media``: single-region bucket in me-central1;
- ``gulf-retail-backups``: dual-region bucket Doha + Dammam (both in the Gulf failure domain);
- ``web-mig-me``: regional MIG over three zones behind a global load balancer, with a health-checked
  Cloud DNS primary/backup record failing over to ``web-mig-eu`` in europe-west3 (sound);
- cross-cloud ``ledger``: ``ledger-replica`` (Cloud SQL, REGIONAL HA, europe-west3) replicates from the
  AWS RDS instance ``arn:aws:rds:me-central-1:123456789012:db:ledger-db`` (an external-server
  replica: source representation ``ledger-aws-source`` with the RDS endpoint as ``hostPort`` and
  label ``resilience-aws-account``). Label ``resilience-workload: ledger``.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from resilience.collectors.replay import RecordedServer
from resilience.model import Inventory

from .clients import GcpSettings
from .collector import collect

RECORDING = "recorded/demo.json"
DEMO_PROJECT = "gulf-retail-prod"
#: the AWS side of the cross-cloud demo workload (the demo estate creates it with moto)
DEMO_AWS_SOURCE = "arn:aws:rds:me-central-1:123456789012:db:ledger-db"


def recording() -> dict:
    return json.loads(resources.files(__package__).joinpath(RECORDING).read_text(encoding="utf-8"))


def demo_inventory(observed_at: str) -> Inventory:
    from google.oauth2.credentials import Credentials

    data = recording()
    scan_time = dt.datetime.fromisoformat(observed_at.replace("Z", "+00:00"))
    with RecordedServer(data["routes"], clock=lambda: scan_time) as server:  # backup runs dated from the scan
        settings = GcpSettings(endpoint=server.base_url, token="demo-token", max_attempts=2, backoff_s=0.05,
                               timeout_s=10).with_rest_endpoint(server.base_url)
        inventory = collect(settings, projects=(DEMO_PROJECT,), observed_at=observed_at,
                            credentials=Credentials(token="demo-token"))
    inventory.meta["identity"] = "gcp:demo"
    return inventory
