"""The home page of a manager or coach shows the children with a recurring attention point per group
again (issue 13: counted in PostgreSQL, decided by the pattern rules), in a fixed number of queries."""

import pytest
from django.urls import reverse

from reports.overview import HOME_ATTENTION_NAMES
from tests import factories as f
from tests.overview_data import fill_group
from tests.report_data import give_recurring_comfort_pattern

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_attention_points_per_group(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    response = client_for(cast.manager).get(reverse("home"))
    (location,) = response.context["managed_locations"]
    counts = {gf.group.name: gf.with_attention_point for gf in location.groups}
    assert counts == {"Groep A": 1, "Groep B": 0}
    html = response.content.decode()
    assert "Aandachtspunten</th>" in html and '<td class="attention-count" data-label="Aandachtspunten">1</td>' in html


def test_the_coach_home_page_runs_the_same_queries_for_more_data(cast, client_for, django_assert_num_queries):
    client = client_for(cast.coach)
    client.get(reverse("home"))
    with django_assert_num_queries(len_queries := _count(client)):
        client.get(reverse("home"))
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=9, weeks=14)
    fill_group(cast.group_c, [cast.coach, cast.manager], children=5, weeks=30, prefix="C")
    with django_assert_num_queries(len_queries):
        response = client.get(reverse("home"))
    coached = response.context["coached_locations"]
    assert sum(lf.with_attention_point for lf in coached) == 3 + 2  # every third child of each group


def test_the_home_names_the_newest_few_and_leads_to_the_location_page_for_the_rest(cast, client_for):
    """Bounded by design (issue 26): the home names HOME_ATTENTION_NAMES attention points per location, the
    newest first, and links to the location page, which names them all; the group counts count them all."""
    children = [f.make_child(cast.group_a, f"Kind{n}") for n in range(HOME_ATTENTION_NAMES + 2)]
    for n, child in enumerate(children):
        give_recurring_comfort_pattern(child, [cast.staff_a, cast.manager], weeks=3 + n)  # Kind0 the newest
    response = client_for(cast.manager).get(reverse("home"))
    html = response.content.decode()
    (location,) = response.context["managed_locations"]
    assert location.groups[0].with_attention_point == len(children)
    named = [c.first_name for c in children if f'class="attention-point" data-child="{c.pk}"' in html]
    assert named == [f"Kind{n}" for n in range(HOME_ATTENTION_NAMES)]
    more = reverse("location_detail", args=[cast.location1.pk]) + f"#attention-{cast.location1.pk}"
    assert f'href="{more}">Nog 2 terugkerende aandachtspunten bij {cast.location1.name}</a>' in html
    full = client_for(cast.manager).get(reverse("location_detail", args=[cast.location1.pk])).content.decode()
    assert all(f'class="attention-point" data-child="{c.pk}"' in full for c in children)
    assert "Nog 2" not in full


def _count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    return len(queries)
