"""Print the generated least-privilege IAM policy (JSON) to stdout::

    python -m resilience.collectors.aws.policy > examples/iam/resilience-readonly-policy.json
"""

from __future__ import annotations

import sys

from .permissions import render


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
