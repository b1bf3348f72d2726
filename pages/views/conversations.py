"""Recording, reading and changing parent conversations (issue 11).

Who may: children/access.py (`child_access`, one answer per child) and the Child queryset's
conversation rules (children/models.py `ChildRules`). The views parse the request, call one service, render.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record
from children.access import child_access
from children.models import Child
from conversations import selectors, services
from conversations.forms import AgreementFormSet, EditConversationForm, NewConversationForm
from conversations.models import Agreement, Conversation
from organisations.calendar import today
from staff.models import User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required ran first
    return request.user


def _save(
    request: HttpRequest, form: NewConversationForm | EditConversationForm, agreements: Any, save: Any
) -> HttpResponse | None:
    """Validate the form and its agreement rows, call `save(**arguments)`; None when the form comes back."""
    if not (form.is_valid() and agreements.is_valid()):
        if agreements.non_form_errors():
            for message in agreements.non_form_errors():
                form.add_error(None, message)
        return None
    try:
        return save(**form.service_arguments(), agreements=[f.agreement_input() for f in agreements])
    except ValidationError as error:
        form.add_service_errors(error)
        return None


def _render_form(
    request: HttpRequest, form: Any, agreements: Any, *, child: Any, editing: Conversation | None
) -> HttpResponse:
    context = {"form": form, "agreements": agreements, "child": child, "editing": editing}
    return render(request, "pages/conversation_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def conversation_new(request: HttpRequest, child_pk: int) -> HttpResponse:
    access = child_access(request.user, child_pk)
    if not access.may_record_conversation:
        raise Http404
    child = access.child
    if request.method == "POST":
        form = NewConversationForm(request.POST)
        agreements = AgreementFormSet(request.POST, prefix="afspraak")

        def save(**arguments: Any) -> HttpResponse:
            conversation, created = services.conversation_create(
                child=child, recorder=_user(request), submission_key=form.cleaned_data["submission_key"], **arguments
            )
            if created:
                messages.success(request, _("The conversation was saved."))
            else:
                messages.info(request, _("This conversation was already saved."))
            return redirect("conversation_detail", pk=conversation.pk)

        response = _save(request, form, agreements, save)
        if response is not None:
            return response
    else:
        form = NewConversationForm(initial={"date": today(), "submission_key": uuid.uuid4()})
        agreements = AgreementFormSet(prefix="afspraak")
    return _render_form(request, form, agreements, child=child, editing=None)


def _log_read(request: HttpRequest, conversation: Conversation) -> None:
    access_log_record(
        user=request.user,
        child=conversation.child,
        action=AccessLog.Action.VIEW_CONVERSATION,
        path=request.get_full_path(),
    )


@require_safe
@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.readable_conversation(request.user, pk)
    if conversation is None:
        raise Http404
    _log_read(request, conversation)
    context = {
        "conversation": conversation,
        "agreements": list(conversation.agreements.all()),
        "can_change": services.can_change(conversation, _user(request)),
        "can_record": child_access(request.user, conversation.child_id).may_record_conversation,
        "history": list(conversation.history.select_related("history_user").order_by("history_date")),
    }
    return render(request, "pages/conversation_detail.html", context)


def _initial_agreements(conversation: Conversation) -> list[dict[str, Any]]:
    return [
        {
            "text": a.text,
            "who": a.who,
            "follow_up": a.follow_up,
            "for_group": a.for_group,
            "focus_pillars": a.focus_pillars,
            "focus_weeks": a.focus_weeks,
        }
        for a in conversation.agreements.all()
    ]


@require_http_methods(["GET", "POST"])
@login_required
def conversation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.readable_conversation(request.user, pk, recorded_by_user=True)
    if conversation is None:
        raise Http404
    if not services.can_change(conversation, _user(request)):
        messages.error(request, _("This conversation can no longer be changed."))
        return redirect("conversation_detail", pk=conversation.pk)
    if request.method == "POST":
        form = EditConversationForm(request.POST)
        agreements = AgreementFormSet(request.POST, prefix="afspraak")

        def save(**arguments: Any) -> HttpResponse:
            services.conversation_update(
                conversation=conversation, editor=_user(request), version=form.cleaned_data["version"], **arguments
            )
            messages.success(request, _("Your changes were saved."))
            return redirect("conversation_detail", pk=conversation.pk)

        response = _save(request, form, agreements, save)
        if response is not None:
            return response
    else:
        _log_read(request, conversation)  # the form shows the parents' words and the agreements
        form = EditConversationForm(
            initial={
                "date": conversation.date,
                "participants": conversation.participants,
                "parents_context": conversation.parents_context,
                "next_date": conversation.next_date,
                "version": conversation.version,
            }
        )
        agreements = AgreementFormSet(prefix="afspraak", initial=_initial_agreements(conversation))
    return _render_form(request, form, agreements, child=conversation.child, editing=conversation)


@require_POST
@login_required
def agreement_looked_back(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.select_related("conversation"),
        pk=pk,
        conversation__child__in=Child.objects.conversations_recordable_by(request.user),
    )
    services.agreement_looked_back(agreement=agreement, user=_user(request))
    messages.success(request, _("Marked as looked back on."))
    return redirect("conversation_detail", pk=agreement.conversation_id)
