"""Beranda's map by desa: each desa's figures (H, M0 and every indicator's deprivation
rate) from ``padu mpi --by desa``, shaped for a caller as :mod:`padu.services.overview`
shapes the kecamatan.

For a viewer the same cells are hidden as in the API's ``/api/v1/mpi?by=desa`` and on
Kemiskinan's desa pages (:func:`padu.services.overview.level_hidden`, over the whole tree
province > kabupaten > kecamatan > desa): a count of 1 to 4 families and a share resting on
one, and whatever subtraction from a shown parent would give back. Aggregates only, so
nothing here is audited.
"""

from __future__ import annotations

from padu.access import Scope
from padu.regions import kaltara
from padu.services.measure import MpiTable
from padu.services.overview import Area, Indicator, _area, _name, _Shown, hide_area, level_hidden
from padu.services.suppression import SHOWN

__all__ = ["desa_areas"]


def desa_areas(table: MpiTable, indicators: list[Indicator], scope: Scope) -> list[Area]:
    """Every desa of ``table`` (:func:`padu.services.measure.mpi_table` by desa) as
    ``scope`` may see it; a desa's families are the families counted there (``n``) and
    those with missing data. No desil cells: the map shows none."""
    regions = kaltara()
    shown = _Shown(scope.suppress_small)
    groups = dict(table.groups)
    families = {code: g.n + g.missing_data_units for code, g in groups.items()}
    areas = []
    for code, group in sorted(groups.items()):
        area = _area(code, _name(regions, code), {"kosong": families[code]}, group,
                     indicators, shown)  # fmt: skip
        area.desil = {}
        areas.append(area)
    if shown.suppress:
        hidden = level_hidden(table, "desa")
        ids = list(table.weights)  # the order level_hidden counts indicators in
        for area in areas:
            hide_area(area, hidden.get(area.kode, SHOWN), ids)
    return areas
