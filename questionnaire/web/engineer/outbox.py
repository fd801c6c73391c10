"""The Outbox: every email the app has sent or will send, what became of each, "Send again".

With the embedded transport (``MAIL_TRANSPORT=outbox``) nothing is sent: this page is where
the emails are read, and each one's ``.eml`` file can be downloaded. Emails are shown as text:
the HTML part is shown as its source, escaped, never as markup in our page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for

from questionnaire.services import mail
from questionnaire.services.mail_message import file_name
from questionnaire.store import db
from questionnaire.store.models import OutgoingEmail
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 1


def _eml(email: OutgoingEmail) -> Path:
    """Where the embedded transport wrote the email (if it did)."""
    return services().settings.mail.outbox_dir / f"{file_name(email)}.eml"


@bp.get("/outbox")
def outbox() -> Any:
    page = mail.outbox(db.session(), _page_number())
    return render_template(
        "engineer/outbox.html", page=page, mail=services().settings.mail, form=ActionForm()
    )


@bp.get("/outbox/<int:number>")
def outbox_email(number: int) -> Any:
    entry = mail.entry(db.session(), number)
    return render_template(
        "engineer/outbox_email.html", entry=entry, email=entry.email,
        has_eml=_eml(entry.email).is_file(), form=ActionForm(),
    )  # fmt: skip


@bp.get("/outbox/<int:number>/message.eml")
def outbox_eml(number: int) -> Any:
    email = mail.entry(db.session(), number).email
    path = _eml(email)
    if not path.is_file():
        abort(404, description="This email was not written to the outbox folder.")
    return send_file(path, mimetype="message/rfc822", as_attachment=True,
                     download_name=f"email-{email.id}.eml", max_age=0)  # fmt: skip


@bp.post("/outbox/<int:number>/send-again")
def outbox_send_again(number: int) -> Any:
    checked_form()
    if mail.send_again(db.session(), number, actor()):
        flash("The email is queued to be sent again, with the same Message-ID.")
    else:
        flash("This email has not failed: it is sent, or queued already.")
    return redirect(url_for(".outbox_email", number=number))
