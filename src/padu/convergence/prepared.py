"""Queries compiled once and run again for another family (the family card's rules).

Building and compiling the card's rules with Ibis (the measure's indicators and every
programme's rule: tens of KB of SQL) takes longer than running them on one family. That
SQL depends only on the warehouse, the snapshot and the rules, not on the family asked
about, so it is compiled once with placeholder values, kept (a small cache per process),
and run again with each family's values in their place. The values go in as SQL string
literals quoted by sqlglot for the warehouse's dialect, all in one pass (a value is never
searched for another placeholder), and a compiled query that lost a placeholder is
refused rather than run.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlglot.expressions as sge

from padu.stores import Warehouse

#: Compiled queries kept per process (one per warehouse, snapshot and set of rules).
MAX_KEPT = 32
_KEPT: OrderedDict[tuple[Hashable, ...], str] = OrderedDict()
_LOCK = threading.Lock()


def placeholder(name: str) -> str:
    """The stand-in value of parameter ``name`` while a query is compiled."""
    return f"padu-parameter-{name}-c0e5a1"


def _quoted(value: str, dialect: str) -> str:
    return str(sge.convert(value).sql(dialect=dialect))


def compiled(wh: Warehouse, key: tuple[Hashable, ...], build: Callable[[], Any]) -> str:
    """The SQL of the expression ``build()`` makes, compiled once per ``key`` and warehouse."""
    full = (wh.url, *key)
    with _LOCK:
        sql = _KEPT.get(full)
        if sql is not None:
            _KEPT.move_to_end(full)
            return sql
    sql = str(wh.con.compile(build()))
    with _LOCK:
        _KEPT[full] = sql
        while len(_KEPT) > MAX_KEPT:
            _KEPT.popitem(last=False)
    return sql


def run_prepared(
    wh: Warehouse, key: tuple[Hashable, ...], build: Callable[[], Any], values: dict[str, str]
) -> list[dict[str, Any]]:
    """The rows of the query ``build()`` makes (its string parameters written with
    :func:`placeholder`) with ``values`` in their place, as dicts."""
    sql = compiled(wh, key, build)
    marks = {_quoted(placeholder(name), wh.dialect): name for name in values}
    missing = [name for mark, name in marks.items() if mark not in sql]
    if missing:  # a parameter folded away: the query would not ask about this family
        raise RuntimeError(f"parameter {', '.join(missing)} missing from a prepared query")
    pattern = re.compile("|".join(re.escape(m) for m in marks))
    text = pattern.sub(lambda m: _quoted(values[marks[m.group(0)]], wh.dialect), sql)
    cursor = wh.con.raw_sql(text)
    try:
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        if wh.backend == "postgres":  # a psycopg cursor; DuckDB returns its connection
            cursor.close()


__all__ = ["MAX_KEPT", "compiled", "placeholder", "run_prepared"]
