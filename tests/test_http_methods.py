"""GET-only pages answer 405 to every other method and write nothing (issue 9, item 6)."""

import pytest
from django.urls import reverse

from access_log.models import AccessLog

pytestmark = pytest.mark.django_db

OTHER_METHODS = ("post", "put", "patch", "delete", "trace")


def get_only_urls(cast):
    return [
        reverse("home"),
        reverse("location_detail", args=[cast.location1.pk]),
        reverse("group_detail", args=[cast.group_a.pk]),
        reverse("child_detail", args=[cast.child_a.pk]),
        reverse("mentor_children"),
        reverse("child_summary", args=[cast.child_a.pk]),
        reverse("child_summary_pdf", args=[cast.child_a.pk]),
        reverse("group_overview", args=[cast.group_a.pk]),
        reverse("group_overview_csv", args=[cast.group_a.pk]),
    ]


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_get_only_pages_refuse_other_methods(cast, client_for, method):
    client = client_for(cast.staff_a)
    for url in get_only_urls(cast):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url, response.status_code)
        assert "GET" in response["Allow"]
    assert not AccessLog.objects.exists()


def test_get_and_head_still_answer(cast, client_for):
    client = client_for(cast.staff_a)
    for url in get_only_urls(cast):
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url


def test_entry_form_refuses_put(cast, client_for):
    response = client_for(cast.staff_a).put(reverse("observation_new", args=[cast.child_a.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("method", ("put", "patch", "delete"))
def test_the_passkey_page_takes_get_and_post_only(cast, client_for, method):
    from staff.models import Passkey

    client = client_for(cast.manager)
    url = reverse("second_step_passkey_setup")
    assert client.get(url).status_code == 200 and client.head(url).status_code == 200
    response = getattr(client, method)(url, data='{"credential": "{}"}', content_type="application/json")
    assert response.status_code == 405 and "POST" in response["Allow"]
    assert not Passkey.objects.exists()
