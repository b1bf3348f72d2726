"""Recording, reading and changing parent conversations (issue 11).

Who may: children/access.py (`child_access`, one answer per child) and the Child queryset's
conversation rules (children/models.py `ChildRules`). The views parse the request, call one service, render.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record
from children.access import child_access
from children.entries import entry_form
from children.models import Child
from conversations import selectors, services
from conversations.forms import ConversationForm, EditConversationForm, NewConversationForm
from conversations.models import Agreement, Conversation
from organisations.calendar import today
from organisations.downloads import attachment
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from reports.conversation_report import conversation_report, render_conversation_report_pdf
from reports.language import PARENT_LANGUAGE_CODES, parent_language
from reports.pdf_cache import PdfKind, cached_pdf
from reports.prepared import handed_over
from staff.models import User


def _user(request: AuthenticatedHttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required ran first
    return request.user


def _render_form(
    request: AuthenticatedHttpRequest, form: ConversationForm, *, child: Any, editing: Conversation | None
) -> HttpResponse:
    context = {"form": form, "agreements": form.agreements, "child": child, "editing": editing}
    return render(request, "pages/conversation_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def conversation_new(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    access = child_access(request.user, child_pk)
    if not access.may_record_conversation:
        raise Http404
    child = access.child
    form, saved = entry_form(
        request,
        NewConversationForm,
        initial=lambda: {"date": today()},
        save=partial(services.conversation_create, child=child, recorder=_user(request)),
    )
    if saved is None:
        return _render_form(request, form, child=child, editing=None)
    conversation, created = saved
    if created:
        messages.success(request, _("The conversation was saved."))
    else:
        messages.info(request, _("This conversation was already saved."))
    return redirect("conversation_detail", pk=conversation.pk)


def _log_read(request: AuthenticatedHttpRequest, conversation: Conversation) -> None:
    access_log_record(
        user=request.user,
        child=conversation.child,
        action=AccessLog.Action.VIEW_CONVERSATION,
        path=request.get_full_path(),
    )


@require_safe
@login_required
def conversation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        "report_languages": [
            (code, translation.get_language_info(code)["name_local"]) for code in PARENT_LANGUAGE_CODES
        ],
        "handed_over": handed_over(conversation),
    }
    return render(request, "pages/conversation_detail.html", context)


@reads_from_replica
@require_safe
@login_required
def conversation_report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The report of a recorded conversation for the parents (PDF), for those who read the whole
    conversation with the parents' words (the group's staff, who read only the group's agreements,
    get 404). In the parents' language: the child's, or `?taal=` for this print (a bad one: 400 with a
    message). Logged as an export; kept per version (reports/pdf_cache.py)."""
    conversation = selectors.readable_conversation(request.user, pk)
    if conversation is None:
        raise Http404
    language, language_message = parent_language(conversation.child, request.GET.get("taal"))
    if language_message:
        return HttpResponseBadRequest(language_message, content_type="text/plain; charset=utf-8")
    day = today()
    with translation.override(language):
        download = cached_pdf(
            conversation.child,
            PdfKind.REPORT,
            lambda: render_conversation_report_pdf(conversation_report(conversation), made_on=day),
            slot=(conversation.pk, language),
            drawn_with=(day,),
        )
    access_log_record(
        user=request.user, child=conversation.child, action=AccessLog.Action.EXPORT, path=request.get_full_path()
    )
    return attachment(download)


def _initial_agreements(conversation: Conversation) -> list[dict[str, Any]]:
    return [
        {
            "text": a.text,
            "who": a.who,
            "follow_up": a.follow_up,
            "due_by": a.due_by,
            "for_group": a.for_group,
            "focus_pillars": a.focus_pillars,
            "focus_weeks": a.focus_weeks,
        }
        for a in conversation.agreements.all()
    ]


@require_http_methods(["GET", "POST"])
@login_required
def conversation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.readable_conversation(request.user, pk, recorded_by_user=True)
    if conversation is None:
        raise Http404
    if not services.can_change(conversation, _user(request)):
        messages.error(request, _("This conversation can no longer be changed."))
        return redirect("conversation_detail", pk=conversation.pk)
    if request.method == "GET":
        _log_read(request, conversation)  # the form shows the parents' words and the agreements
    form, saved = entry_form(
        request,
        EditConversationForm,
        initial=lambda: {
            "date": conversation.date,
            "participants": conversation.participants,
            "parents_context": conversation.parents_context,
            "parents_words_in_report": conversation.parents_words_in_report,
            "parents_recognise": conversation.parents_recognise,
            "next_date": conversation.next_date,
            "version": conversation.version,
            "agreements": _initial_agreements(conversation),
        },
        save=partial(services.conversation_update, conversation=conversation, editor=_user(request)),
    )
    if saved is None:
        return _render_form(request, form, child=conversation.child, editing=conversation)
    messages.success(request, _("Your changes were saved."))
    return redirect("conversation_detail", pk=conversation.pk)


@require_POST
@login_required
def agreement_looked_back(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.select_related("conversation"),
        pk=pk,
        conversation__child__in=Child.objects.conversations_recordable_by(request.user),
    )
    services.agreement_looked_back(agreement=agreement)
    messages.success(request, _("Marked as looked back on."))
    return redirect("conversation_detail", pk=agreement.conversation_id)
