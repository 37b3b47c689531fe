from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from flask import Response, abort, render_template

from integrations.mail.outbox import list_messages, read_message
from service.extensions import current_settings

# The HTML body is the service's own, but it is shown as a mail program would: on its own, sandboxed.
HTML_BODY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _message(name: str) -> tuple[bytes, EmailMessage]:
    raw = read_message(current_settings().MAIL_OUTBOX_DIR, name)
    if raw is None:
        abort(404)
    return raw, BytesParser(policy=policy.default).parsebytes(raw)


def _part(message: EmailMessage, content_type: str):
    for part in message.walk():
        if part.get_content_type() == content_type and not part.is_attachment():
            return part
    return None


def index():
    settings = current_settings()
    return render_template("outbox/index.html", messages=list_messages(settings.MAIL_OUTBOX_DIR),
                           uses_outbox=settings.uses_outbox, folder=settings.MAIL_OUTBOX_DIR)


def show(name: str):
    _, message = _message(name)
    text = _part(message, "text/plain")
    calendar = _part(message, "text/calendar")
    return render_template(
        "outbox/message.html", name=name, message=message,
        text=text.get_content() if text is not None else "",
        calendar=calendar.get_payload(decode=True).decode("utf-8", "replace") if calendar is not None else "",
        method=calendar.get_param("method") if calendar is not None else None,
    )


def html_body(name: str):
    _, message = _message(name)
    part = _part(message, "text/html")
    if part is None:
        abort(404)
    response = Response(part.get_content(), mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_BODY_POLICY
    return response


def calendar(name: str):
    _, message = _message(name)
    part = _part(message, "text/calendar")
    if part is None:
        abort(404)
    return Response(part.get_payload(decode=True), mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="invite.ics"'})


def raw(name: str):
    data, _ = _message(name)
    return Response(data, mimetype="message/rfc822", headers={"Content-Disposition": f'attachment; filename="{name}"'})
