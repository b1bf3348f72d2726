"""The report for parents of a recorded conversation ("verslag voor ouders").

What was agreed, who does it, by when and when we look back on it together; the parents' own
words only when they agreed to have them written down; the next conversation. Written for the
parents: no pillar codes, no focus weeks, nothing meant only for the group's staff besides the
agreement itself, no counts. `conversation_report(conversation)` reads it (no query when the
conversation comes from `conversations.selectors.readable_conversation`, which prefetches the
agreements); `render_conversation_report_pdf` is a pure renderer: report in, a Download out, in the
active language.
"""

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from conversations.models import Conversation
from organisations.downloads import Download
from reports.pdf import MIMETYPE, html_to_pdf, parent_page_frame, safe_filename_part


@dataclass(frozen=True)
class ReportAgreement:
    text: str
    who: str
    due_by: datetime.date | None
    follow_up: datetime.date


@dataclass(frozen=True)
class ConversationReport:
    first_name: str
    full_name: str
    date: datetime.date
    participants: str
    parents_words: str  # "" unless the parents agreed to have their words in the report
    agreements: tuple[ReportAgreement, ...]
    next_date: datetime.date | None


def conversation_report(conversation: Conversation) -> ConversationReport:
    child = conversation.child
    return ConversationReport(
        first_name=child.first_name,
        full_name=child.full_name,
        date=conversation.date,
        participants=conversation.participants,
        parents_words=conversation.parents_context if conversation.parents_words_in_report else "",
        agreements=tuple(
            ReportAgreement(a.text, a.who, a.due_by, a.follow_up)
            for a in sorted(conversation.agreements.all(), key=lambda a: (a.follow_up, a.pk))
        ),
        next_date=conversation.next_date,
    )


def conversation_report_html(report: ConversationReport, *, made_on: datetime.date) -> str:
    """The report of the conversation as the HTML the PDF is drawn from, in the active language."""
    context = {
        "report": report,
        "made_on": made_on,
        "frame": parent_page_frame(report.full_name, _("What we agreed together. Not a diagnosis.")),
    }
    return render_to_string("reports/parent_report_pdf.html", context)


def render_conversation_report_pdf(report: ConversationReport, *, made_on: datetime.date) -> Download:
    """The report of the conversation as a PDF, in the active language."""
    html = conversation_report_html(report, made_on=made_on)
    filename = f"verslag-{safe_filename_part(report.first_name)}-{report.date:%Y-%m-%d}.pdf"
    return Download(filename, MIMETYPE, html_to_pdf(html))
