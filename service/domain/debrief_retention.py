"""Debriefs are kept 30 days, then only as monthly counts; requests to talk go 30 days after being followed up.

A step of the periodic retention (``service.domain.retention.run``); idempotent, in the caller's transaction.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from service.extensions import db
from service.models import Debrief, DebriefAnswer, DebriefMonthlyCount, TalkRequest

KEEP = timedelta(days=30)


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def fold_old_debriefs(now: datetime) -> tuple[int, int]:
    """Count debriefs older than 30 days into their month, delete them and old settled requests.

    Returns (debriefs folded, requests deleted).
    """
    cutoff = now - KEEP
    old = db.session.execute(select(Debrief.id, Debrief.organisation_id, Debrief.created_at, Debrief.answer)
                             .where(Debrief.created_at < cutoff)).all()
    counts: Counter[tuple[int, date, DebriefAnswer]] = Counter(
        (organisation_id, month_of(created_at), answer) for _, organisation_id, created_at, answer in old)
    for (organisation_id, month, answer), count in counts.items():
        row = db.session.get(DebriefMonthlyCount, (organisation_id, month, answer))
        if row is None:
            db.session.add(DebriefMonthlyCount(organisation_id=organisation_id, month=month, answer=answer,
                                               count=count))
        else:
            row.count += count
    if old:
        db.session.execute(delete(Debrief).where(Debrief.id.in_([row[0] for row in old])))
    requests = db.session.execute(delete(TalkRequest).where(TalkRequest.done_at < cutoff)).rowcount
    return len(old), requests or 0


def monthly_counts(organisation_id: int, now: datetime) -> dict[date, Counter]:
    """Every month's answers: the folded counts plus the debriefs still kept whole (for the coordinator)."""
    months: dict[date, Counter] = {}
    for row in db.session.execute(select(DebriefMonthlyCount).where(
            DebriefMonthlyCount.organisation_id == organisation_id)).scalars():
        months.setdefault(row.month, Counter())[row.answer.value] += row.count
    for created_at, answer in db.session.execute(select(Debrief.created_at, Debrief.answer).where(
            Debrief.organisation_id == organisation_id)).all():
        months.setdefault(month_of(created_at), Counter())[answer.value] += 1
    return dict(sorted(months.items(), reverse=True))
