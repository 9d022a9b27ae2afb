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

from resilience.collectors.aws import collect
from resilience.model import DEPENDS_ON

from .helpers import ACCOUNT, OBSERVED_AT, by_id, new_session

PRIMARY, DR = "me-central-1", "eu-central-1"


@pytest.fixture
def moto(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "true")  # the stock AMIs, one id in every region
    with mock_aws():
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
