"""The two plans of a scenario: each agency alone (siloed), and one optimisation (integrated).

Siloed is exactly ``padu target`` per programme: its eligible units in its own rank order,
cut at the quota and at the running total of the budget.

Integrated is an exact integer programme solved by HiGHS. One variable per family and
programme would be about 215,000 x 10; but families that agree on everything the model can
see (kabupaten, score, complete data, desil for the weighted objective, and for each
programme whether it can reach them, at what cost, how many units, and which of their
deprivations it would close) are interchangeable. They form a *type*, and the model chooses
how many families of each type get each *combination* of programmes:

    maximise    sum_t,S value(t, S) * y[t, S]
    subject to  sum_S y[t, S] <= n_t              (= n_t when the type has committed units)
                sum_t,S: p in S cost(t, p) * y[t, S] <= budget_p
                sum_t,S: p in S units(t, p) * y[t, S] <= quota_p
                floors and caps per kabupaten, likewise
                y[t, S] integer >= 0

A combination never holds two programmes of one dimension (unless the pair is a declared
complement) and never a programme that would close nothing the others do not (it only
costs). Inside a type the families are ranked by the shared priority (desil, score,
tie-break) and the best combinations go first. Programmes that close no indicator of the
measure are not optimised: they keep their own ranking, skipping families the plan already
serves in their dimension.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from padu.errors import UsageError
from padu.fmt import angka, rupiah
from padu.identifiers import mask_nik
from padu.planning.instance import Instance, PlanProgramme


@dataclass
class Allocation:
    """Which units each programme reaches in a plan, and how the plan was found."""

    chosen: dict[str, list[int]] = field(default_factory=dict)
    gap: float | None = None
    types: int | None = None
    solve_seconds: float | None = None
    objective: float = 0.0
    status: str = ""
    variables: int | None = None
    model_seconds: float | None = None  # grouping into types and building the model


# -- shared ---------------------------------------------------------------------------------
def closures(inst: Instance, alloc: Allocation) -> dict[int, int]:
    """Family index -> the indicators the plan closes for it (the closure rule)."""
    closed: dict[int, int] = defaultdict(int)
    for p in inst.programmes:
        if not p.closes:
            continue
        count: dict[int, int] = defaultdict(int)
        for u in alloc.chosen.get(p.code, []):
            count[p.unit_family[u]] += 1
        for f, n in count.items():
            if n >= p.need(f):
                closed[f] |= p.closes & inst.deprived[f]
    return dict(closed)


def objective_value(inst: Instance, alloc: Allocation) -> float:
    """The scenario's objective for an allocation (the same value the solver maximises)."""
    return sum(inst.value(f, mask) for f, mask in closures(inst, alloc).items())


def _cut(p: PlanProgramme, units: list[int], taken: int = 0, spent: int = 0) -> list[int]:
    """``units`` (in rank order) while the quota and the running total of the budget hold."""
    out: list[int] = []
    for u in units:
        if p.quota is not None and taken + len(out) >= p.quota:
            break
        cost = p.unit_cost[u]
        if p.budget is not None and spent + cost > p.budget:
            break
        spent += cost
        out.append(u)
    return out


def siloed(inst: Instance) -> Allocation:
    """Every programme alone: ``padu target``'s rank order, quota and budget cut."""
    start = time.perf_counter()
    chosen = {p.code: _cut(p, list(range(len(p.unit_family)))) for p in inst.programmes}
    alloc = Allocation(chosen, status="siloed")
    alloc.objective = objective_value(inst, alloc)
    alloc.solve_seconds = time.perf_counter() - start
    return alloc


# -- types and combinations ------------------------------------------------------------------
@dataclass
class _Option:
    programme: int  # index into the optimised programmes
    cost: int
    units: int
    mask: int


@dataclass
class _Type:
    families: list[int]
    kabupaten: str
    options: tuple[_Option, ...]
    committed: frozenset[int]
    combos: list[tuple[tuple[int, ...], float, int]] = field(default_factory=list)


def _types(inst: Instance, optimised: list[PlanProgramme]) -> list[_Type]:
    """Families grouped by everything the model can see about them."""
    committed = {j: inst.committed.get(p.code, frozenset()) for j, p in enumerate(optimised)}
    floors = _floors(inst)
    # a family kept in a programme that is not optimised holds that programme's dimensions
    held: dict[int, list[PlanProgramme]] = defaultdict(list)
    for q in inst.programmes:
        if not q.optimised:
            for f in inst.committed.get(q.code, frozenset()):
                held[f].append(q)
    options: dict[int, list[_Option]] = defaultdict(list)
    forced: dict[int, set[int]] = defaultdict(set)
    for j, p in enumerate(optimised):
        for f in p.units_of:
            mask = p.closes & inst.deprived[f]
            kept = f in committed[j]
            clash = [q.code for q in held.get(f, ()) if inst.conflict(p, q)]
            if clash:
                if kept:
                    raise UsageError(_clash(inst, f, [p.code, *clash]))
                continue  # the family keeps a programme of the same dimension
            floor = (p.code, inst.kabupaten[f]) in floors
            if not mask and not kept and not floor:
                continue  # it would close nothing for this family
            package = inst.package(p, f)
            cost = sum(p.unit_cost[u] for u in package)
            options[f].append(_Option(j, cost, len(package), mask))
            if kept:
                forced[f].add(j)
    groups: dict[tuple[Any, ...], _Type] = {}
    for f, opts in options.items():
        key = (
            inst.kabupaten[f],
            inst.desil[f] if inst.objective == "weighted" else None,
            inst.score[f],
            inst.complete[f],
            tuple((o.programme, o.cost, o.units, o.mask) for o in opts),
            frozenset(forced[f]),
        )
        t = groups.get(key)
        if t is None:
            t = groups[key] = _Type([], inst.kabupaten[f], tuple(opts), frozenset(forced[f]))
        t.families.append(f)
    return list(groups.values())


def _combos(inst: Instance, t: _Type, optimised: list[PlanProgramme]) -> None:
    """The combinations worth a variable, with their value and cost."""
    rep = t.families[0]
    opts = t.options
    out: list[tuple[tuple[int, ...], float, int]] = []
    floors = _floors(inst)
    for size in range(1, len(opts) + 1):
        for combo in combinations(range(len(opts)), size):
            chosen = [opts[i] for i in combo]
            progs = [optimised[o.programme] for o in chosen]
            if any(inst.conflict(a, b) for a, b in combinations(progs, 2)):
                continue
            if not t.committed <= {o.programme for o in chosen}:
                continue
            union = 0
            for o in chosen:
                union |= o.mask
            redundant = any(
                o.programme not in t.committed
                and (optimised[o.programme].code, t.kabupaten) not in floors
                and not o.mask & ~_union(chosen[:i] + chosen[i + 1 :])
                for i, o in enumerate(chosen)
            )
            if redundant:
                continue
            value = inst.value(rep, union)
            cost = sum(o.cost for o in chosen)
            out.append((combo, value, cost))
    t.combos = out


def _floors(inst: Instance) -> set[tuple[str, str]]:
    """(programme, kabupaten) pairs with a floor: there a unit that closes nothing may
    still be needed to reach the floor."""
    return {
        (lim.programme, lim.kabupaten)
        for lim in inst.limits
        if (lim.min_units or 0) > 0 or (lim.min_budget or 0) > 0
    }


def _infeasible(inst: Instance, types: list[_Type], optimised: list[PlanProgramme]) -> str:
    """Why no plan exists, as far as a floor alone can show it."""
    index = {p.code: j for j, p in enumerate(optimised)}
    found = []
    for i, lim in enumerate(inst.limits):
        j = index.get(lim.programme)
        if j is None or not (lim.min_units or lim.min_budget):
            continue
        units = cost = 0
        for t in types:
            if t.kabupaten == lim.kabupaten:
                for o in t.options:
                    if o.programme == j:
                        units += o.units * len(t.families)
                        cost += o.cost * len(t.families)
        p = optimised[j]
        if lim.min_units and lim.min_units > min(units, p.quota if p.quota is not None else units):
            found.append(
                f"limits[{i}]: {lim.programme} di {lim.kabupaten} minimal {angka(lim.min_units)} "
                f"unit, padahal paling banyak {angka(units)} unit layak di sana"
            )
        if lim.min_budget and lim.min_budget > min(
            cost, p.budget if p.budget is not None else cost
        ):
            found.append(
                f"limits[{i}]: {lim.programme} di {lim.kabupaten} minimal "
                f"{rupiah(lim.min_budget)}, padahal biaya semua unit layak di sana "
                f"{rupiah(cost)} (pagu {_budget_words(p.budget)})"
            )
    why = (
        "; ".join(found)
        if found
        else (
            "gabungan pagu, kuota, batas kabupaten dan penerima yang dipertahankan tidak dapat "
            "dipenuhi sekaligus"
        )
    )
    return f"skenario tidak layak: tidak ada rencana yang memenuhi semuanya ({why})"


def _budget_words(budget: int | None) -> str:
    return "tanpa batas" if budget is None else rupiah(budget)


def _union(options: list[_Option]) -> int:
    mask = 0
    for o in options:
        mask |= o.mask
    return mask


# -- the integer programme ---------------------------------------------------------------------
#: HiGHS's model status in the words of Padu's output.
_STATUS = {
    "Optimal": "optimal",
    "Time limit reached": "batas waktu tercapai",
    "Interrupted by user": "dihentikan",
    "Infeasible": "tidak layak",
}
_BANNER = threading.Lock()
_banner_shown = False


def _highs() -> Any:
    """A HiGHS instance. The first one in a process prints HiGHS's banner from C++ onto
    file descriptor 1, which would corrupt ``padu --json`` output: that one is made with
    descriptor 1 pointed at /dev/null (once, under a lock)."""
    import highspy

    global _banner_shown
    with _BANNER:
        if _banner_shown:
            return highspy.Highs()  # type: ignore[no-untyped-call]
        sys.stdout.flush()
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _banner_shown = True
        return h


def integrated(inst: Instance, *, gap: float = 0.001, time_limit: float = 300.0) -> Allocation:
    """The best plan under every budget, quota, limit and the one-per-dimension rule."""
    import highspy
    import numpy as np

    start = time.perf_counter()
    check_commitments(inst)
    optimised = [p for p in inst.programmes if p.optimised]
    types = _types(inst, optimised)
    for t in types:
        _combos(inst, t, optimised)
    columns: list[tuple[int, int]] = [
        (ti, ci) for ti, t in enumerate(types) for ci in range(len(t.combos))
    ]
    rows_lo: list[float] = []
    rows_hi: list[float] = []
    entries: list[tuple[int, int, float]] = []  # (row, column, coefficient)

    def new_row(lo: float, hi: float) -> int:
        rows_lo.append(lo)
        rows_hi.append(hi)
        return len(rows_lo) - 1

    col_of: dict[tuple[int, int], int] = {c: i for i, c in enumerate(columns)}
    for ti, t in enumerate(types):
        n = len(t.families)
        if not t.combos:
            if t.committed:
                raise UsageError(_uncommittable(inst, t, optimised))
            continue
        r = new_row(n if t.committed else 0.0, n)
        for ci in range(len(t.combos)):
            entries.append((r, col_of[(ti, ci)], 1.0))
    _resource_rows(inst, types, optimised, col_of, new_row, entries)
    h = _highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", 1)
    inf = highspy.kHighsInf
    ncol = len(columns)
    if ncol == 0:
        if any(lo > 0 for lo in rows_lo):  # a floor with no family that could meet it
            raise UsageError(
                "skenario tidak layak: batas bawah kabupaten tidak dapat dipenuhi karena tidak "
                "ada keluarga layak di sana"
            )
        alloc = _fixed(inst, Allocation({p.code: [] for p in optimised}, gap=0.0, types=0))
        alloc.model_seconds = time.perf_counter() - start
        alloc.solve_seconds = 0.0
        alloc.status = "kosong"
        return alloc
    cost = np.array([types[ti].combos[ci][1] for ti, ci in columns], dtype=np.float64)
    upper = np.array([len(types[ti].families) for ti, _ in columns], dtype=np.float64)
    h.addVars(ncol, np.zeros(ncol), upper)
    h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), cost)
    h.changeColsIntegrality(
        ncol, np.arange(ncol, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * ncol)
    )
    by_row: dict[int, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for r, c, v in entries:
        by_row[r][0].append(c)
        by_row[r][1].append(v)
    for r in range(len(rows_lo)):
        idx, val = by_row.get(r, ([], []))
        lo = rows_lo[r] if rows_lo[r] > -inf else -inf
        h.addRow(lo, rows_hi[r], len(idx), np.array(idx, np.int32), np.array(val, np.float64))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    built = time.perf_counter()
    h.run()
    solved = time.perf_counter()
    model_status = h.getModelStatus()
    status = _STATUS.get(h.modelStatusToString(model_status), h.modelStatusToString(model_status))
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible solution
        if model_status == highspy.HighsModelStatus.kTimeLimit:
            raise UsageError(
                f"batas waktu pemecah ({time_limit:g} detik) habis sebelum rencana layak "
                "ditemukan; naikkan --time-limit"
            )
        raise UsageError(_infeasible(inst, types, optimised))
    values = h.getSolution().col_value
    counts = [round(v) for v in values]
    alloc = _assign(inst, types, optimised, columns, counts)
    alloc.gap = max(0.0, float(info.mip_gap)) if info.mip_gap < inf else None
    alloc.types = len(types)
    alloc.variables = ncol
    alloc.status = status
    alloc = _fixed(inst, alloc)
    alloc.objective = objective_value(inst, alloc)
    alloc.model_seconds = built - start
    alloc.solve_seconds = solved - built
    return alloc


def _resource_rows(
    inst: Instance,
    types: list[_Type],
    optimised: list[PlanProgramme],
    col_of: dict[tuple[int, int], int],
    new_row: Any,
    entries: list[tuple[int, int, float]],
) -> None:
    """Budget and quota rows of every optimised programme, and the kabupaten limits."""
    inf = float("inf")
    index = {p.code: j for j, p in enumerate(optimised)}
    rows: list[tuple[int, str | None, str, float, float]] = []  # (programme, kab, what, lo, hi)
    for j, p in enumerate(optimised):
        if p.budget is not None:
            rows.append((j, None, "cost", -inf, float(p.budget)))
        if p.quota is not None:
            rows.append((j, None, "units", -inf, float(p.quota)))
    for lim in inst.limits:
        if lim.programme not in index:
            continue  # a limit on a programme that is not optimised: checked by the caller
        for what, lo, hi in (
            ("units", lim.min_units, lim.max_units),
            ("cost", lim.min_budget, lim.max_budget),
        ):
            if lo is not None or hi is not None:
                rows.append(
                    (
                        index[lim.programme],
                        lim.kabupaten,
                        what,
                        -inf if lo is None else float(lo),
                        inf if hi is None else float(hi),
                    )
                )
    # every (column, kabupaten, cost, units) of each programme, found once for all rows
    uses: dict[int, list[tuple[int, str, int, int]]] = defaultdict(list)
    for ti, t in enumerate(types):
        for ci, (combo, _, _) in enumerate(t.combos):
            for i in combo:
                o = t.options[i]
                uses[o.programme].append((col_of[(ti, ci)], t.kabupaten, o.cost, o.units))
    for j, kab, what, low, high in rows:
        r = new_row(low, high)
        for col, where, cost, units in uses[j]:
            if kab is not None and where != kab:
                continue
            coef = cost if what == "cost" else units
            if coef:
                entries.append((r, col, float(coef)))


def _assign(
    inst: Instance,
    types: list[_Type],
    optimised: list[PlanProgramme],
    columns: list[tuple[int, int]],
    counts: list[int],
) -> Allocation:
    """Named families for the counts: in each type, the best-ranked families get the most
    valuable combinations."""
    per_type: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (ti, ci), n in zip(columns, counts, strict=True):
        if n > 0:
            per_type[ti].append((ci, n))
    chosen: dict[str, list[int]] = {p.code: [] for p in optimised}
    for ti, picks in per_type.items():
        t = types[ti]
        families = sorted(t.families, key=inst.priority)
        picks.sort(key=lambda cn: (-t.combos[cn[0]][1], t.combos[cn[0]][2], t.combos[cn[0]][0]))
        at = 0
        for ci, n in picks:
            for f in families[at : at + n]:
                for i in t.combos[ci][0]:
                    p = optimised[t.options[i].programme]
                    chosen[p.code].extend(inst.package(p, f))
            at += n
    return Allocation({c: sorted(u) for c, u in chosen.items()})


def _fixed(inst: Instance, alloc: Allocation) -> Allocation:
    """The programmes that close no indicator, each in its own rank order within its quota
    and budget, skipping families the plan already serves in one of its dimensions."""
    holds: dict[int, set[str]] = defaultdict(set)
    for code, units in alloc.chosen.items():
        p = inst.programme(code)
        for u in units:
            holds[p.unit_family[u]].add(code)
    for p in inst.programmes:
        if p.optimised:
            continue
        others = [q for q in inst.programmes if inst.conflict(p, q)]
        blocked = {q.code for q in others}
        first = inst.committed_units_of(p)
        taken = set(first)
        rest = [
            u
            for u in range(len(p.unit_family))
            if u not in taken and not holds[p.unit_family[u]] & blocked
        ]
        spent = sum(p.unit_cost[u] for u in first)
        units = first + _cut(p, rest, len(first), spent)
        alloc.chosen[p.code] = sorted(units)
        for u in units:
            holds[p.unit_family[u]].add(p.code)
    return alloc


def _clash(inst: Instance, f: int, codes: list[str]) -> str:
    return (
        f"penerima yang dipertahankan tidak dapat digabung: keluarga "
        f"{mask_nik(inst.kk[f])} terikat pada {', '.join(sorted(codes))}, yang berada di satu "
        "dimensi dan bukan pasangan pelengkap"
    )


def check_commitments(inst: Instance) -> None:
    """Refuse a plan whose committed units alone break a programme's budget or quota (the
    solver would only say "infeasible")."""
    problems = []
    for p in inst.programmes:
        units = inst.committed_units_of(p)
        if not units:
            continue
        cost = sum(p.unit_cost[u] for u in units)
        if p.quota is not None and len(units) > p.quota:
            problems.append(
                f"{p.code}: {angka(len(units))} unit yang dipertahankan melebihi kuota "
                f"{angka(p.quota)}"
            )
        if p.budget is not None and cost > p.budget:
            problems.append(
                f"{p.code}: biaya unit yang dipertahankan {rupiah(cost)} melebihi pagu "
                f"{rupiah(p.budget)}"
            )
    if problems:
        raise UsageError(
            "penerima yang dipertahankan tidak muat: "
            + "; ".join(problems)
            + " (naikkan pagu/kuota skenario atau matikan keep_committed)"
        )


def _uncommittable(inst: Instance, t: _Type, optimised: list[PlanProgramme]) -> str:
    codes = sorted(optimised[j].code for j in t.committed)
    kk = mask_nik(inst.kk[t.families[0]])
    return (
        f"penerima yang dipertahankan tidak dapat digabung: keluarga {kk} (dan "
        f"{len(t.families) - 1} lainnya yang serupa) terikat pada {', '.join(codes)}, "
        "yang berada di satu dimensi dan bukan pasangan pelengkap"
    )
