"""Ids that are only unique within a region, and copies whose source AWS does not name.

Found by a blind test (an estate written from the AWS docs, served by moto):

- moto gives its stock AMIs the same id in every region; a launch template's image resolved to the
  copy in another region and made a false RES-REGIONAL-002 ("pinned in eu-central-1");
- moto's DescribeDBSnapshots answers a cross-region copy without ``SourceRegion`` or
  ``SourceDBSnapshotIdentifier``; the copy was attached to a DB of that name in its *own* region.

Both run through ``collect()`` against in-process moto, built through the real APIs.
"""

from __future__ import annotations

import pytest
from moto import mock_aws
from moto.ec2.models import ec2_backends

from resilience.collectors.aws import collect
from resilience.model import BACKED_UP_TO, DEPENDS_ON

from .helpers import ACCOUNT, OBSERVED_AT, by_id, new_session

PRIMARY, DR = "me-central-1", "eu-central-1"


@pytest.fixture
def moto(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "true")  # the stock AMIs, one id in every region
    with mock_aws():
        # moto builds a region's EC2 backend when the previous mock resets (getmoto/moto#6592), under that test's
        # environment: after a module that turned the stock AMIs off, these regions would have none. Rebuilt here,
        # under this test's, whatever ran before.
        for region in (PRIMARY, DR):
            ec2_backends[ACCOUNT][region].reset()
        yield new_session()


def test_launch_template_image_resolves_in_its_own_region_when_the_id_is_in_several(moto):
    clients = {r: moto.client("ec2", region_name=r) for r in (PRIMARY, DR)}
    ami = clients[PRIMARY].describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    assert clients[DR].describe_images(ImageIds=[ami])["Images"], "moto shares the stock AMI ids between regions"
    templates = {r: c.create_launch_template(LaunchTemplateName=f"web-{r}", LaunchTemplateData={
        "ImageId": ami, "InstanceType": "t3.micro"})["LaunchTemplate"]["LaunchTemplateId"] for r, c in clients.items()}

    inv = collect(moto, [PRIMARY, DR], observed_at=OBSERVED_AT, max_workers=2, services=["launchtemplates"])

    for region, template_id in templates.items():
        template = f"arn:aws:ec2:{region}:{ACCOUNT}:launch-template/{template_id}"
        [ref] = [e for e in inv.edges if e.src == template and e.kind == DEPENDS_ON]
        assert ref.dst == f"arn:aws:ec2:{region}::image/{ami}"
        assert "missing_in" not in ref.attrs
        assert by_id(inv)[ref.dst].region == region


def _rds(session, region):
    return session.client("rds", region_name=region)


def _db(client, name):
    return client.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                                     MasterUsername="admin", MasterUserPassword="password123",
                                     AllocatedStorage=20)["DBInstance"]


def _copy_across(primary, dr, db: str) -> str:
    primary.create_db_snapshot(DBInstanceIdentifier=db, DBSnapshotIdentifier=f"{db}-manual")
    copy = dr.copy_db_snapshot(SourceDBSnapshotIdentifier=f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:snapshot:{db}-manual",
                               TargetDBSnapshotIdentifier=f"{db}-manual-dr", SourceRegion=PRIMARY)["DBSnapshot"]
    answered = dr.describe_db_snapshots(DBSnapshotIdentifier=f"{db}-manual-dr")["DBSnapshots"][0]
    assert not answered.get("SourceRegion") and not answered.get("SourceDBSnapshotIdentifier"), "moto names no source"
    return copy["DBSnapshotArn"]


def _backs_up(inv, copy: str) -> set[str]:
    return {e.src for e in inv.edges if e.dst == copy and e.kind == BACKED_UP_TO}


def test_db_snapshot_copy_without_source_region_is_joined_to_its_db_in_the_other_region(moto):
    """The blind test's estate: the DB in the primary region, a read replica (another name) in the DR one."""
    primary, dr = _rds(moto, PRIMARY), _rds(moto, DR)
    source_db = _db(primary, "storefront")["DBInstanceArn"]
    _db(dr, "storefront-dr")
    copy = _copy_across(primary, dr, "storefront")

    inv = collect(moto, [PRIMARY, DR], observed_at=OBSERVED_AT, max_workers=2, services=["rds"])

    assert _backs_up(inv, copy) == {source_db}  # not arn:aws:rds:eu-central-1:...:db:storefront (invented)
    node = by_id(inv)[copy]
    assert node.attrs["source_resource"] == source_db and node.attrs["source_region"] == PRIMARY
    assert node.attrs["source_matched_by"] == "DbiResourceId" and "source_unknown" not in node.attrs


def test_db_snapshot_copy_is_never_given_to_a_namesake_in_its_own_region(moto):
    """Identifiers are unique per region only, and moto gives every DB one DbiResourceId: two candidates,
    so the source stays unknown rather than a guess (the copy must not appear to protect the DR DB)."""
    primary, dr = _rds(moto, PRIMARY), _rds(moto, DR)
    _db(primary, "orders")
    _db(dr, "orders")
    copy = _copy_across(primary, dr, "orders")

    inv = collect(moto, [PRIMARY, DR], observed_at=OBSERVED_AT, max_workers=2, services=["rds"])

    assert _backs_up(inv, copy) == set()
    node = by_id(inv)[copy]
    assert node.attrs["source_unknown"] is True and node.attrs["source_identifier"] == "orders"
    assert "source_resource" not in node.attrs and "source_region" not in node.attrs


def test_db_snapshot_copy_whose_source_was_not_inventoried_stays_unknown(moto):
    primary, dr = _rds(moto, PRIMARY), _rds(moto, DR)
    _db(primary, "ledger")
    copy = _copy_across(primary, dr, "ledger")

    inv = collect(moto, [DR], observed_at=OBSERVED_AT, max_workers=2, services=["rds"])  # the source region unread

    node = by_id(inv)[copy]
    assert node.attrs["source_unknown"] is True and "source_resource" not in node.attrs
    assert _backs_up(inv, copy) == set()


def test_ebs_snapshot_copy_of_unknown_region_is_attached_to_no_volume():
    """Recorded-response shapes, not moto: moto's CopySnapshot keeps the source's VolumeId and writes no
    description, where AWS gives a copy an arbitrary VolumeId ("do not use this volume ID for any purpose")
    and CopyImage writes "Copied for DestinationAmi ... for SourceSnapshot snap-...", without a region."""
    from resilience.collectors.aws.ec2 import transform_snapshots

    from .helpers import scope

    snapshots = [
        {"SnapshotId": "snap-0a1", "OwnerId": ACCOUNT, "VolumeId": "vol-0123456789abcdef0", "VolumeSize": 8,
         "Description": "Copied for DestinationAmi ami-0d1 from SourceAmi ami-0c2 for SourceSnapshot snap-0e3. "
                        "Task created on 1,706,000,000,000."},
        {"SnapshotId": "snap-0a2", "OwnerId": ACCOUNT, "VolumeId": "vol-ffffffff", "VolumeSize": 8,
         "Description": "nightly copy"},
        {"SnapshotId": "snap-0a3", "OwnerId": ACCOUNT, "VolumeId": "vol-ffffffff", "VolumeSize": 8,
         "Description": "[Copied snap-0b4 from me-central-1]"},
    ]
    out = transform_snapshots(snapshots, scope(DR))
    nodes = {r.id.rsplit("/", 1)[-1]: r for r in out.resources}
    assert nodes["snap-0a1"].attrs["source_unknown"] is True and nodes["snap-0a1"].attrs["source_snapshot_id"] == "snap-0e3"
    assert nodes["snap-0a2"].attrs["source_unknown"] is True
    assert not [e for e in out.edges if e.kind == BACKED_UP_TO]  # no volume invented for either copy
    assert "source_resource" not in nodes["snap-0a1"].attrs
    # a copy AWS describes with its region keeps its source
    assert nodes["snap-0a3"].attrs["source_region"] == PRIMARY and "source_unknown" not in nodes["snap-0a3"].attrs
