"""Print the synthetic-vs-published calibration tables (Markdown) for docs/synthetic-register.md.

python scripts/calibration_report.py [--scale 1] [--seed 1]

Three tables: published figures against the register's, national desil shares per
kabupaten, and the figures of the desil model and realism features.
"""

from __future__ import annotations

import argparse
import sys

import polars as pl

from padu.synth import generate_register
from padu.synth.calibration import compare, desil_shares, frame_markdown, markdown, realism


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    reg = generate_register(scale=args.scale, seed=args.seed)
    figures = pl.DataFrame(
        {"figure": list(realism(reg)), "value": [float(v) for v in realism(reg).values()]}
    )
    sys.stdout.write(
        "\n\n".join(
            [markdown(compare(reg)), frame_markdown(desil_shares(reg)), frame_markdown(figures)]
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
