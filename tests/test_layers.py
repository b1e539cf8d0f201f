"""The layers stay apart: the core never imports a web or command-line framework.

Padu's core (rules, measures, linkage, stores, services ...) is used by two shells, the
``padu`` command line (``padu/cli``, Typer and Rich) and the web app (``padu/web``,
FastAPI on Starlette). A core module that imported one of those frameworks, or one of the
shells, would tie the other shell and every test of the core to it. The check reads each
module's source (nothing is imported), so a lazy import inside a function, or one under
``TYPE_CHECKING``, counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "padu"
#: The shells: only these may import the frameworks.
SHELLS = ("cli", "web")
#: Top-level packages the core must not import: the frameworks, and the shells themselves.
FORBIDDEN = ("fastapi", "starlette", "typer", "rich")
FORBIDDEN_PADU = tuple(f"padu.{shell}" for shell in SHELLS)


def _forbidden(module: str) -> bool:
    top = module.split(".", 1)[0]
    return top in FORBIDDEN or any(
        module == shell or module.startswith(f"{shell}.") for shell in FORBIDDEN_PADU
    )


def interface_imports(path: Path) -> list[str]:
    """Each import in ``path`` of a framework or a shell, as ``file:line module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "padu":  # ``from padu import cli``
                modules += [f"padu.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(node.lineno, m) for m in modules if _forbidden(m)]
    return [f"{path.name}:{line} {module}" for line, module in sorted(found)]


def core_modules() -> list[Path]:
    """Every module of the package outside the shells."""
    shells = [SRC / shell for shell in SHELLS]
    return sorted(
        p for p in SRC.rglob("*.py") if not any(p.is_relative_to(shell) for shell in shells)
    )


def test_the_core_imports_no_framework_and_no_shell() -> None:
    found = {
        str(p.relative_to(SRC)): hits for p in core_modules() if (hits := interface_imports(p))
    }
    assert found == {}, (
        "the core imports a web or command-line framework (or padu.cli / padu.web); "
        "move the rendering into padu/cli or padu/web and return data from the core"
    )


def test_the_scan_covers_the_core_and_the_services() -> None:
    scanned = {p.relative_to(SRC).parts[0] for p in core_modules()}
    assert {"services", "measure", "stores", "rules", "audit.py", "errors.py"} <= scanned
    assert not scanned & set(SHELLS)
    assert list((SRC / "services").glob("*.py")), "padu/services has no module to scan"
    assert all(interface_imports(p) == [] for p in (SRC / "services").rglob("*.py"))


def test_a_planted_import_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "from __future__ import annotations\n"
        "import json\n"
        "import richer\n"  # another package whose name starts the same: allowed
        "import rich\n"
        "from typer import Typer\n"
        "import starlette.responses as responses\n"
        "from padu import cli, fmt\n"
        "from padu.web.app import create_app\n"
        "from padu.webhooks import send\n"  # not the web shell: allowed
        "from . import typer\n"  # a relative import is the package's own module
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from rich.table import Table\n"
        "def later() -> None:\n"
        "    from fastapi import FastAPI\n",
        encoding="utf-8",
    )
    assert interface_imports(planted) == [
        "planted.py:4 rich",
        "planted.py:5 typer",
        "planted.py:6 starlette.responses",
        "planted.py:7 padu.cli",
        "planted.py:8 padu.web.app",
        "planted.py:13 rich.table",
        "planted.py:15 fastapi",
    ]


@pytest.mark.parametrize("framework", FORBIDDEN)
def test_each_framework_is_forbidden(tmp_path: Path, framework: str) -> None:
    planted = tmp_path / "one.py"
    planted.write_text(f"import {framework}\n", encoding="utf-8")
    assert interface_imports(planted) == [f"one.py:1 {framework}"]
