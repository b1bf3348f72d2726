"""The login lockout cannot be dodged by spelling an address differently, nor turned against a user:
it counts a user at one client address (AXES_FAILURE_LIMIT) and one client address alone
(AXES_ADDRESS_FAILURE_LIMIT), and behind the proxy it reads only the address our proxy wrote."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
ATTACKER = "203.0.113.9"
USER_HOME = "198.51.100.7"
PROXY = "10.0.0.2"


def try_login(username, password="fout", client=None, **meta):
    return (client or Client()).post(reverse("login"), {"username": username, "password": password}, **meta)


def test_problem_4_mixed_spellings_of_the_address_are_one_account(settings):
    """Issue 9, problem 4: each spelling of the address got its own five tries."""
    make_user("manager@example.org")
    spellings = [
        "manager@example.org",
        "MANAGER@example.org",
        "  Manager@Example.ORG ",
        "ｍａｎａｇｅｒ@example.org",  # full-width letters: the same address after Unicode NFKC
        "manager@EXAMPLE.org",
    ]
    assert len(spellings) == settings.AXES_FAILURE_LIMIT == 5
    answers = [try_login(spelling, REMOTE_ADDR=ATTACKER).status_code for spelling in spellings]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    # The sixth try, with the right password and yet another spelling, is refused.
    response = try_login("Manager@example.org", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True).distinct()) == ["manager@example.org"]


def test_fewer_failures_than_the_limit_still_let_the_user_in_whatever_the_spelling():
    make_user("manager@example.org")
    for _ in range(4):
        try_login("MANAGER@EXAMPLE.ORG", REMOTE_ADDR=USER_HOME)
    response = try_login(" Manager@Example.org", PASSWORD, REMOTE_ADDR=USER_HOME)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not AccessAttempt.objects.filter(username="manager@example.org", ip_address=USER_HOME).exists()


def test_an_attacker_elsewhere_cannot_lock_the_user_out():
    make_user("manager@example.org")
    for _ in range(12):
        try_login("manager@example.org", REMOTE_ADDR=ATTACKER)
    assert try_login("manager@example.org", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
    # The real user, from their own address, logs in.
    response = try_login("manager@example.org", PASSWORD, REMOTE_ADDR=USER_HOME)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_one_address_trying_many_accounts_is_throttled(settings):
    per_address = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert per_address == 20 and settings.AXES_FAILURE_LIMIT == 5
    victims = [make_user(f"collega{n}@example.org") for n in range(5)]
    bystander = make_user("bystander@example.org")
    failures = 0
    for victim in victims:  # four tries each: below the limit of every single account
        for _ in range(4):
            if failures == per_address - 1:
                # One failure short of the address limit: a correct login from here still works.
                assert try_login(bystander.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302
            assert try_login(victim.email, REMOTE_ADDR=ATTACKER).status_code in (200, 429)
            failures += 1
    assert failures == per_address
    # Now the address is throttled, for every account, even with the right password...
    assert try_login(bystander.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
    assert try_login(victims[0].email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
    # ...while the same people log in from anywhere else.
    assert try_login(victims[0].email, PASSWORD, REMOTE_ADDR=USER_HOME).status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_count_against_others(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    insider = make_user("insider@example.org")
    victims = [make_user(f"collega{n}@example.org") for n in range(3)]
    for victim in victims[:2]:
        for _ in range(3):
            try_login(victim.email, REMOTE_ADDR=ATTACKER)
    assert try_login(insider.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302
    # The successful login cleared only the insider's own failures, not the six against colleagues
    # (axes' own reset would clear every failure of the address: the throttle could be wiped at will).
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 2
    for _ in range(2):
        try_login(victims[2].email, REMOTE_ADDR=ATTACKER)
    assert try_login(insider.email, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429


def test_without_a_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0  # what DJANGO_BEHIND_PROXY off gives (see the last test)
    make_user("manager@example.org")
    for n in range(5):
        try_login("manager@example.org", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = try_login("manager@example.org", PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=USER_HOME)
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_behind_the_proxy_a_forged_forwarded_prefix_does_not_change_the_counted_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1  # what DJANGO_BEHIND_PROXY=1 gives (see the next test)
    make_user("manager@example.org")
    # Every request reaches the app from the proxy; the proxy appends the address it saw.
    for n in range(5):
        forged = f"192.0.2.{n}, 198.51.100.{n}"
        response = try_login("manager@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged}, {ATTACKER}")
        assert response.status_code == (429 if n == 4 else 200)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    forged = f"{USER_HOME}, {ATTACKER}"  # pretending to be the user's address does not help either
    response = try_login("manager@example.org", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)
    assert response.status_code == 429
    # The proxy's own address is not what counts: the real user, behind the same proxy, logs in.
    response = try_login("manager@example.org", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=USER_HOME)
    assert response.status_code == 302


def test_behind_two_proxies_the_second_address_from_the_right_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    make_user("manager@example.org")
    for n in range(5):
        try_login("manager@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}, 10.0.0.1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # A request that did not pass both proxies, or a garbled entry, counts under the proxy's address.
    try_login("other@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.1")
    try_login("other@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address, 10.0.0.1")
    assert AccessAttempt.objects.get(username="other@example.org").ip_address == PROXY


def trusted_proxy_count(**env) -> int:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "attachment_site.settings_test", **env})
    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def test_x_forwarded_for_is_read_only_with_django_behind_proxy():
    assert trusted_proxy_count() == 0
    assert trusted_proxy_count(DJANGO_TRUSTED_PROXY_COUNT="2") == 0
    assert trusted_proxy_count(DJANGO_BEHIND_PROXY="1") == 1
    assert trusted_proxy_count(DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXY_COUNT="2") == 2
