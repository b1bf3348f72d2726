"""What a query reads, from PostgreSQL's own account: EXPLAIN (ANALYZE, FORMAT JSON).

`rows_read(sql)` runs a SELECT under EXPLAIN ANALYZE and adds up, over every node that reads a table or
an index, the rows it returned and the rows its filter threw away, times its loops: the rows the query
touched. tests/test_bounded_history.py compares it for a child with one year and five years of entries;
bench/scope_bench.py prints it beside the timings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan")
SKIP = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _scan_rows(node: dict[str, Any]) -> int:
    own = 0
    if node.get("Node Type") in SCANS:
        per_loop = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        per_loop += node.get("Rows Removed by Index Recheck", 0)
        own = round(per_loop * node.get("Actual Loops", 1))
    return own + sum(_scan_rows(child) for child in node.get("Plans", []))


def rows_read(cursor: Any, sql: str, params: Iterable[Any] | None = None) -> int:
    """The rows `sql` (a SELECT) read from tables and indexes, by EXPLAIN ANALYZE on `cursor`."""
    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that leaves JSON as text
        import json

        plan = json.loads(plan)
    return _scan_rows(plan[0]["Plan"])


def is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH")) and not sql.startswith(SKIP)
