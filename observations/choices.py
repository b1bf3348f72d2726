from django.db import models
from django.utils.translation import gettext_lazy as _


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
