"""Audit-trail plumbing around django-simple-history (see models.py).

A login saves only `last_login` on the user: that is no change of the record, so it writes no
history row (the login itself is in django-axes' access log).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save

from staff.models import User

_SKIP = "skip_history_when_saving"  # the attribute simple-history's post_save receiver checks
_OURS = "_privacy_skipped_history"


def _skip_login_stamp(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"} and not hasattr(instance, _SKIP):
        setattr(instance, _SKIP, True)
        setattr(instance, _OURS, True)


def _clear_skip(sender: type[User], instance: User, **kwargs: Any) -> None:
    # Runs after simple-history's receiver: that one was connected when the models registered.
    if getattr(instance, _OURS, False):
        delattr(instance, _SKIP)
        delattr(instance, _OURS)


def connect_signals() -> None:
    pre_save.connect(_skip_login_stamp, sender=User, dispatch_uid="privacy.audit.skip_login_stamp")
    post_save.connect(_clear_skip, sender=User, dispatch_uid="privacy.audit.clear_skip")
