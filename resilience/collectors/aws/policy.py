"""Print a generated IAM document (JSON) to stdout::

    python -m resilience.collectors.aws.policy > examples/iam/resilience-readonly-policy.json
    python -m resilience.collectors.aws.policy --scanner > examples/iam/resilience-org-scanner-policy.json
    python -m resilience.collectors.aws.policy --stackset > examples/iam/resilience-readonly-role.cfn.json
"""

from __future__ import annotations

import sys

from .permissions import render, render_scanner, render_stackset


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    renderers = {"--scanner": render_scanner, "--stackset": render_stackset}
    sys.stdout.write(renderers[args[0]]() if args else render())


if __name__ == "__main__":
    main()
