"""``python -m padu.cli``: the same command line as the installed ``padu`` script."""

from __future__ import annotations

from padu.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
