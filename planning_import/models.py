"""An uploaded export between its dry run and the confirmation (the upload page in pages/).

The file holds children's names and dates of birth, so it is kept no longer than needed: removed when
applied, when the same person uploads another file for the organisation, and PENDING_HOURS after the
upload at the latest (`PendingImport.objects.expired()`, removed whenever the page is used).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

PENDING_HOURS = 2


class PendingImportQuerySet(models.QuerySet["PendingImport"]):
    def expired(self) -> Self:
        return self.filter(created_at__lt=timezone.now() - datetime.timedelta(hours=PENDING_HOURS))


class PendingImport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("file"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The columns confirmed for this file (the format of ImportMapping.mapping); None: not yet.
    mapping = models.JSONField(_("columns"), null=True, blank=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("file waiting to be read in")
        verbose_name_plural = _("files waiting to be read in")

    def __str__(self) -> str:
        return self.filename


class ImportMapping(models.Model):
    """The organisation's columns as last confirmed on the upload page: the same JSON the command's
    `--mapping` reads, `{"their column": "our field code" or null}`, offered again for the next file."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    mapping = models.JSONField(_("columns"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("columns of the planning system")
        verbose_name_plural = _("columns of the planning systems")

    def __str__(self) -> str:
        return str(self.organisation)
