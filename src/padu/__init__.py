"""Padu: integrated poverty-reduction targeting on one shared socio-economic register.

The public surface, as a table of contents:

- settings and stores: :class:`Settings`, :class:`Warehouse`, :class:`Catalog`
- reference data: :func:`kaltara` (regions), :func:`register_schema` (DTSEN fields, codes)
- identifiers: :func:`parse_nik`
- the register: :func:`import_register`, :func:`quality_report`, :func:`diff_snapshots`
- rules: :func:`compile_rule` (the safe rule language, compiled to Ibis)
- multidimensional poverty: :func:`alkire_foster`, :func:`get_measure`, :func:`mpi_snapshot`
- programmes: :func:`load_workshop`, :func:`draw_target_list`, :func:`data_needs`,
  :func:`adopt_target_list`
- linking agency lists: :func:`link_list`
- convergence: :func:`convergence`, :func:`family_card`
- synthetic data: :func:`generate_register`, :func:`write_register`
- errors: :class:`PaduError` and its kinds, :class:`Problem`
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use: a command pays only for its own
    from padu.convergence.family import family_card
    from padu.convergence.views import convergence
    from padu.errors import ImportRejected, InputError, NotFound, PaduError, Problem
    from padu.identifiers import parse_nik
    from padu.linkage.ledger import link_list
    from padu.measure import alkire_foster
    from padu.measure.measures import get_measure
    from padu.measure.snapshot import mpi_snapshot
    from padu.programmes import load_workshop
    from padu.programmes.adopt import adopt_target_list
    from padu.programmes.needs import data_needs
    from padu.programmes.targeting import draw_target_list
    from padu.regions import kaltara
    from padu.register import diff_snapshots, import_register, quality_report
    from padu.rules import compile_rule
    from padu.schema import register_schema
    from padu.settings import Settings
    from padu.stores import Catalog, Warehouse
    from padu.synth import generate_register, write_register

#: Where each public name lives.
_WHERE = {
    "Catalog": "padu.stores",
    "ImportRejected": "padu.errors",
    "InputError": "padu.errors",
    "NotFound": "padu.errors",
    "PaduError": "padu.errors",
    "Problem": "padu.errors",
    "Settings": "padu.settings",
    "Warehouse": "padu.stores",
    "adopt_target_list": "padu.programmes.adopt",
    "alkire_foster": "padu.measure",
    "compile_rule": "padu.rules",
    "convergence": "padu.convergence.views",
    "data_needs": "padu.programmes.needs",
    "diff_snapshots": "padu.register",
    "draw_target_list": "padu.programmes.targeting",
    "family_card": "padu.convergence.family",
    "generate_register": "padu.synth",
    "get_measure": "padu.measure.measures",
    "import_register": "padu.register",
    "kaltara": "padu.regions",
    "link_list": "padu.linkage.ledger",
    "load_workshop": "padu.programmes",
    "mpi_snapshot": "padu.measure.snapshot",
    "parse_nik": "padu.identifiers",
    "quality_report": "padu.register",
    "register_schema": "padu.schema",
    "write_register": "padu.synth",
}


__all__ = [
    "Catalog",
    "ImportRejected",
    "InputError",
    "NotFound",
    "PaduError",
    "Problem",
    "Settings",
    "Warehouse",
    "adopt_target_list",
    "alkire_foster",
    "compile_rule",
    "convergence",
    "data_needs",
    "diff_snapshots",
    "draw_target_list",
    "family_card",
    "generate_register",
    "get_measure",
    "import_register",
    "kaltara",
    "link_list",
    "load_workshop",
    "mpi_snapshot",
    "parse_nik",
    "quality_report",
    "register_schema",
    "write_register",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module 'padu' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
