import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from children.models import Child, Mentorship, Placement
from demo.organisation import AGENCY, ORGANISATION
from observations.models import Observation, Visit
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from staff.models import Membership, Role, User

pytestmark = pytest.mark.django_db

MODELS = [Organisation, Location, Group, Child, Placement, Mentorship, User, Membership]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_the_demo_organisation_and_is_idempotent():
    output = seed()
    first = counts()
    assert first["Organisation"] == 2  # De Linde and the gastouderbureau Het Nest
    linde = Organisation.objects.get(name=ORGANISATION)
    assert Location.objects.filter(organisation=linde, kind=Location.Kind.CENTRE).count() == 2
    assert Location.objects.filter(organisation=linde, kind=Location.Kind.CHILDMINDER).count() == 1
    assert Group.objects.filter(location__organisation=linde).count() == 5
    assert 35 <= Child.objects.filter(organisation=linde).count() <= 45
    assert "children: 40 created" in output
    # Every child has a running placement and a mentor who works in that group.
    for child in Child.objects.filter(organisation=linde).prefetch_related("placements", "mentorships"):
        placement = child.placements.get()
        mentor = child.mentorships.get().mentor
        assert Membership.objects.filter(user=mentor, group=placement.group, role=Role.STAFF).exists()
        assert 0 <= child.age_in_months() <= 48
    seed()
    assert counts() == first


def test_demo_logins_have_their_roles():
    seed(password="geheim-demo")
    expectations = {
        "medewerker@example.org": Role.STAFF,
        "manager@example.org": Role.MANAGER,
        "coach@example.org": Role.COACH,
        "admin@example.org": Role.ADMIN,
    }
    for email, role in expectations.items():
        user = User.objects.get(email=email)
        assert user.check_password("geheim-demo")
        assert set(user.memberships.values_list("role", flat=True)) == {role}
    assert User.objects.get(email="medewerker@example.org").memberships.count() == 1
    assert User.objects.get(email="manager@example.org").memberships.count() == 1
    assert User.objects.get(email="coach@example.org").memberships.count() == 2


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Organisation.objects.count() == 0


def test_the_demo_has_practice_rounds_that_the_agreement_page_shows(client):
    from django.urls import reverse

    from calibration.models import PracticeRating, PracticeRound

    output = seed()
    assert "practice rounds: 4 created" in output
    rounds = PracticeRound.objects.count()
    assert rounds == 4 and not PracticeRound.objects.filter(user__email="medewerker@example.org").exists()
    seed()
    assert PracticeRound.objects.count() == rounds and PracticeRating.objects.count() == rounds * 24

    client.force_login(User.objects.get(email="coach@example.org"))
    vlinder = Location.objects.get(name="Kindercentrum De Vlinder")
    page = client.get(reverse("location_agreement", args=[vlinder.pk])).content.decode()
    section = page[page.index('id="calibration-results"') :]
    exploring = section[section.index("Explorerend gedrag") : section.index("</tr>", section.index("Explorerend"))]
    # 10 of 12 as intended
    assert '<td class="text-end" data-label="Geoefend">12</td>' in exploring and "83%" in exploring
    assert "bedoeld durft nauwelijks weg, gekozen checkt niet terug (2×)" in exploring


def test_the_demo_gastouderbureau():
    output = seed(password="geheim-demo")
    nest = Organisation.objects.get(name=AGENCY)
    assert nest.kind == Organisation.Kind.AGENCY
    homes = Location.objects.filter(organisation=nest)
    assert homes.count() == 3 and set(homes.values_list("kind", flat=True)) == {Location.Kind.CHILDMINDER}
    assert "Gastouderbureau (password as given): gastouder@example.org" in output
    # each home: one group, one gastouder, who is the mentor of its children and the only observer there
    # (apart from the consulent's waarnemingen during a huisbezoek)
    for home in homes:
        group = home.groups.get()
        gastouder = Membership.objects.get(group=group).user
        assert Membership.objects.get(group=group).role == Role.GASTOUDER
        children = Child.objects.placed_on(today(), [group])
        assert 3 <= children.count() <= 6
        observers = set(
            Observation.objects.filter(group=group, visit_link__isnull=True).values_list("observer", flat=True)
        )
        assert observers == {gastouder.pk}
    # at a gastouder's home nobody is "de leidster": the notes name the gastouder
    at_home = Observation.objects.filter(group__location__kind=Location.Kind.CHILDMINDER)
    assert not at_home.filter(note__icontains="leidster").exists()
    assert not at_home.filter(ratings__note__icontains="leidster").exists()
    assert at_home.filter(group__name="Bij Fleur", ratings__note__contains="Fleur").exists()
    # one child with two gastouders, on different days
    ruben = Child.objects.get(organisation=nest, first_name="Ruben")
    assert Placement.objects.running_on(today()).filter(child=ruben).count() == 2
    # the demo logins: the gastouder of one home; the bemiddelingsmedewerker of two of the three
    gastouder = User.objects.get(email="gastouder@example.org")
    assert gastouder.check_password("geheim-demo")
    assert list(gastouder.memberships.values_list("role", flat=True)) == [Role.GASTOUDER]
    consultant = User.objects.get(email="consulent@example.org")
    assert set(consultant.memberships.values_list("role", "location__name")) == {
        (Role.CONSULTANT, "Gastouder Fleur Kramer"),
        (Role.CONSULTANT, "Gastouder Yusuf Demir"),
    }
    assert Child.objects.observable_by(consultant).count() == 7  # 4 + 3, Ruben once
    assert Child.objects.observable_by(gastouder).count() == 4
    for placement in Placement.objects.filter(child__organisation=nest):
        placement.full_clean()
    # the huisbezoeken: Fleur's home ten weeks ago, with a waarneming of each child there and the next
    # visit planned; Yusuf's thirteen months ago, so the visits page says a visit is due
    fleur, yusuf = (
        Location.objects.get(organisation=nest, name=n) for n in ("Gastouder Fleur Kramer", "Gastouder Yusuf Demir")
    )
    visit = Visit.objects.get(location=fleur)
    assert visit.consultant == consultant and visit.agreements
    assert set(Observation.objects.filter(visits=visit).values_list("observer", flat=True)) == {consultant.pk}
    assert (
        Observation.objects.filter(visits=visit).count()
        == Child.objects.placed_on(visit.visited_on, [fleur.groups.get()]).count()
    )
    assert Visit.objects.get(location=yusuf).visited_on < today() - datetime.timedelta(days=365)
    client = Client()
    client.force_login(consultant)
    page = client.get(reverse("visits")).content.decode()
    assert page.count("Geen bezoek in de afgelopen 12 maanden") == 1
    assert "Gastouders die ik begeleid" in client.get(reverse("home")).content.decode()
    before = counts(), Observation.objects.count(), Visit.objects.count()
    seed()
    assert (counts(), Observation.objects.count(), Visit.objects.count()) == before
