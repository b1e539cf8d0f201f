"""Print the synthetic-vs-published calibration table (Markdown) for docs/synthetic-register.md.

python scripts/calibration_report.py [--scale 1] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys

from padu.synth import generate_register
from padu.synth.calibration import compare, markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    reg = generate_register(scale=args.scale, seed=args.seed)
    sys.stdout.write(markdown(compare(reg)) + "\n")


if __name__ == "__main__":
    main()
