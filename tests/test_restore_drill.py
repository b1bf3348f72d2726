"""The restore drill (attachment_site/restore_drill.py, `make restore-drill`) on the test database: a
faithful restore passes; a restored copy that lost a history row, shows a child differently or holds a
rollup that is not its rebuild fails."""

import io

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from attachment_site import restore_drill
from attachment_site.pg_tools import live_connection_url, with_database
from children.models import Child


@pytest.fixture
def restored_url():
    source = live_connection_url(connection)
    name = f"{connection.settings_dict['NAME']}_drill_dst"
    url = restore_drill.create_database(source, name)
    yield url
    restore_drill.drop_database(source, name)


@pytest.mark.django_db(transaction=True)
def test_the_drill_passes_a_faithful_restore_and_catches_a_lost_history_row(restored_url, tmp_path):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    restore_drill.pages_and_pdfs()  # the coach reads pages once, committed: the access log has rows
    source_url = live_connection_url(connection)

    source, problems = restore_drill.drill(source_url, restored_url, tmp_path)

    assert problems == []
    assert restore_drill.access_log_rows(source) > 0
    assert restore_drill.history_rows(source) > 0
    assert source["rollup_equals_rebuild"] is True
    assert len(source["pdfs"]) == restore_drill.CHILDREN
    for path, text in source["pdfs"].items():
        child = Child.objects.get(pk=int(path.split("/")[2]))
        assert text.startswith("200\n") and child.first_name in text, path
    assert "Hersteloefening geslaagd" in restore_drill.summary(source, problems)

    # The restored copy loses one history row: the drill fails and names the table.
    with psycopg.connect(restored_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM observations_historicalobservation"
            " WHERE history_id = (SELECT min(history_id) FROM observations_historicalobservation)"
        )
    problems = restore_drill.differences(source, restore_drill.fingerprint(restored_url))
    assert any(
        p.startswith("table observations_historicalobservation: ") and p.endswith(" restored") for p in problems
    ), problems
    assert "MISLUKT" in restore_drill.summary(source, problems)

    # A child's name changed and a rollup row off by one in the restored copy (one fingerprint for both):
    # the child's pages and PDF differ, not only a table, and the rollup no longer equals a rebuild.
    shown = next(iter(source["pdfs"])).split("/")[2]
    with psycopg.connect(restored_url, autocommit=True) as conn:
        conn.execute("UPDATE children_child SET first_name = 'Xerxes' WHERE id = %s", [int(shown)])
        conn.execute(
            "UPDATE observations_pillarweek SET typical = typical + 1"
            " WHERE ctid = (SELECT min(ctid) FROM observations_pillarweek)"
        )
    problems = restore_drill.differences(source, restore_drill.fingerprint(restored_url))
    assert any(p.startswith(f"pdf /kinderen/{shown}/overzicht.pdf") for p in problems), problems
    assert any(p.startswith(f"page /kinderen/{shown}/") for p in problems), problems
    assert "rollup: on the restored database it differs from a rebuild" in problems, problems


def test_with_database_keeps_the_server():
    assert with_database("postgresql://u@/db?host=/run/pg", "x_drill_dst") == "postgresql://u@/x_drill_dst?host=/run/pg"
