from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Situation(models.TextChoices):
    DROP_OFF = "drop_off", _("drop-off")
    FREE_PLAY = "free_play", _("free play")
    MEAL = "meal", _("eating and drinking")
    CARE = "care", _("care moment")
    OUTSIDE = "outside", _("outside")
    SLEEP = "sleep", _("sleeping")
    PICK_UP = "pick_up", _("pick-up")
    OTHER = "other", _("other")


class Circumstance(models.TextChoices):
    SLEPT_BADLY = "slept_badly", _("slept badly")
    ILL = "ill", _("ill or teething")
    BUSY_GROUP = "busy_group", _("busy group")
    UNFAMILIAR_STAFF = "unfamiliar_staff", _("unfamiliar staff member")
    CHANGE_AT_HOME = "change_at_home", _("change at home")
    AFTER_ABSENCE = "after_absence", _("after a holiday or absence")
    OTHER = "other", _("other")


# How the parent handout names the circumstances that played a part, each the same shape (a phrase
# with a preposition), so a list reads as one sentence: "vooral na een slechte nacht, bij ziekte
# of doorkomende tandjes of op drukke dagen in de groep".
CIRCUMSTANCE_PARENT_WORDS: dict[str, StrOrPromise] = {
    Circumstance.SLEPT_BADLY: _("after a bad night"),
    Circumstance.ILL: _("when unwell or teething"),
    Circumstance.BUSY_GROUP: _("on busy days in the group"),
    Circumstance.UNFAMILIAR_STAFF: _("with unfamiliar staff"),
    Circumstance.CHANGE_AT_HOME: _("with changes at home"),
    Circumstance.AFTER_ABSENCE: _("after a holiday or a time away"),
}

# A question for the parents when circumstances played a part.
CIRCUMSTANCE_PARENT_QUESTIONS: dict[str, StrOrPromise] = {
    Circumstance.SLEPT_BADLY: _("How does %(name)s sleep at home, and what helps after a bad night?"),
    Circumstance.ILL: _("How is %(name)s when unwell or teething at home?"),
    Circumstance.BUSY_GROUP: _("How is %(name)s at home on busy days, or with many people around?"),
    Circumstance.UNFAMILIAR_STAFF: _("How does %(name)s get used to new people at home?"),
    Circumstance.CHANGE_AT_HOME: _("Has anything changed at home lately that we should know about?"),
    Circumstance.AFTER_ABSENCE: _("How does %(name)s settle back in after a holiday or a time away?"),
}
