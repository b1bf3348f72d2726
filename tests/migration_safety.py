"""Which SQL statements of a migration would lock a large table while the service runs.

tests/test_migration_safety.py reads `manage.py sqlmigrate` for every migration of the project's apps
and runs `findings()` on it. The rules, and the way around each, are in docs/migrations.md.
"""

import re
from dataclasses import dataclass

# The tables that grow with use: observations, ratings, the weekly rollup, the access log, and every
# history table (simple-history) — a migration that locks one of them stops the service.
BIG_TABLES = frozenset(
    {
        "observations_observation",
        "observations_pillarrating",
        "observations_pillarweek",
        "reports_accesslog",  # access_log.AccessLog keeps the table of its first home
    }
)


def is_big(table: str) -> bool:
    return table in BIG_TABLES or "_historical" in table


@dataclass(frozen=True)
class Finding:
    rule: str
    table: str
    statement: str

    def __str__(self) -> str:
        return f"{self.rule} on {self.table}: {self.statement[:160]}"


def statements(sql: str) -> list[str]:
    """The statements of sqlmigrate's output: comments and dollar-quoted bodies (functions, which do
    not run at migration time) left out, whitespace collapsed."""
    sql = re.sub(r"\$(\w*)\$.*?\$\1\$", "$$", sql, flags=re.S)
    sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [" ".join(part.split()) for part in sql.split(";") if part.strip()]


TABLE = r'"?(?P<table>[\w.]+)"?'
# (rule, pattern, on every table or only the big ones)
RULES: list[tuple[str, re.Pattern[str], bool]] = [
    (
        "NOT NULL column without a default",
        re.compile(rf"^ALTER TABLE (?:ONLY )?{TABLE} .*ADD COLUMN (?!.*\bDEFAULT\b).*\bNOT NULL\b", re.I),
        True,
    ),
    (
        "column with a volatile default (rewrites the table)",
        re.compile(rf"^ALTER TABLE (?:ONLY )?{TABLE} .*ADD COLUMN .*\bDEFAULT\s+(?:[\w.]+\(|CURRENT_|LOCALTIME)", re.I),
        False,
    ),
    (
        "index built without CONCURRENTLY",
        re.compile(rf"^CREATE (?:UNIQUE )?INDEX (?!CONCURRENTLY).*? ON {TABLE}", re.I),
        False,
    ),
    (
        "unique constraint built under a lock (add it USING INDEX built CONCURRENTLY)",
        re.compile(
            rf"^ALTER TABLE (?:ONLY )?{TABLE} ADD CONSTRAINT \S+ (?:UNIQUE|PRIMARY KEY|EXCLUDE) (?!USING INDEX)", re.I
        ),
        False,
    ),
    (
        "foreign key or check constraint validated under a lock (add it NOT VALID, then VALIDATE)",
        re.compile(
            rf"^ALTER TABLE (?:ONLY )?{TABLE} ADD (?:CONSTRAINT \S+ (?:FOREIGN KEY|CHECK)\b|COLUMN .*\bREFERENCES\b)"
            r"(?!.*\bNOT VALID\b)",
            re.I,
        ),
        False,
    ),
    (
        "column type altered (rewrites the table)",
        re.compile(rf"^ALTER TABLE (?:ONLY )?{TABLE} .*\bTYPE\b", re.I),
        False,
    ),
    (
        "SET NOT NULL (scans the table under a lock)",
        re.compile(rf"^ALTER TABLE (?:ONLY )?{TABLE} .*\bSET NOT NULL\b", re.I),
        False,
    ),
    (
        "rows rewritten in the migration's transaction",
        re.compile(rf"^(?:UPDATE|DELETE FROM|INSERT INTO) {TABLE}", re.I),
        False,
    ),
    (
        "table locked or rewritten",
        re.compile(rf"^(?:LOCK TABLE|VACUUM FULL|CLUSTER|REINDEX TABLE(?! CONCURRENTLY)|TRUNCATE) {TABLE}", re.I),
        False,
    ),
]


def findings(sql: str) -> list[Finding]:
    """The statements of one migration that lock a large table (tables it creates itself are empty)."""
    parts = statements(sql)
    created = {m.group("table") for part in parts if (m := re.match(rf"^CREATE TABLE {TABLE}", part, re.I))}
    found: list[Finding] = []
    for part in parts:
        for rule, pattern, everywhere in RULES:
            match = pattern.match(part)
            if match is None:
                continue
            table = match.group("table")
            if table not in created and (everywhere or is_big(table)):
                found.append(Finding(rule, table, part))
    return found
