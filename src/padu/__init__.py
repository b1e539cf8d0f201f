"""Padu: integrated poverty-reduction targeting on one shared socio-economic register.

The public surface, as a table of contents:

- settings and stores: :class:`Settings`, :class:`Warehouse`, :class:`Catalog`
- reference data: :func:`kaltara` (regions), :func:`register_schema` (DTSEN fields, codes)
- identifiers: :func:`parse_nik`
- the register: :func:`import_register`, :func:`quality_report`, :func:`diff_snapshots`
- synthetic data: :func:`generate_register`, :func:`write_register`
- errors: :class:`PaduError` and its kinds, :class:`Problem`
"""

from __future__ import annotations

from padu.errors import ImportRejected, InputError, NotFound, PaduError, Problem
from padu.identifiers import parse_nik
from padu.regions import kaltara
from padu.register import diff_snapshots, import_register, quality_report
from padu.schema import register_schema
from padu.settings import Settings
from padu.stores import Catalog, Warehouse
from padu.synth import generate_register, write_register

__all__ = [
    "Catalog",
    "ImportRejected",
    "InputError",
    "NotFound",
    "PaduError",
    "Problem",
    "Settings",
    "Warehouse",
    "diff_snapshots",
    "generate_register",
    "import_register",
    "kaltara",
    "parse_nik",
    "quality_report",
    "register_schema",
    "write_register",
]
__version__ = "0.1.0"
