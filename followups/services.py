"""Automatic follow-ups: planned when a visit is saved (and as birthdays near), sent once each by the
task queue as a notice to that customer only."""

import calendar
import datetime
import itertools
import statistics
import zoneinfo

from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_log
from common.actors import Actor
from customers.models import Customer
from kartes.models import Karte
from linking.selectors import active_devices_of
from notices.models import Notice, NoticeSource
from notices.services import notices_create_many
from salons.models import Salon

from . import actions
from .models import FollowUp, FollowUpKind, FollowUpRule, FollowUpStatus

# Messages counted in days go out at this hour of the salon's day.
SEND_HOUR = 10
# A follow-up notice stays in the app this long.
SHOWN_FOR = datetime.timedelta(days=30)
# A karte saved for a visit longer ago than this gets no thank-you (a paper karte typed in later).
THANKS_WITHIN = datetime.timedelta(days=2)
BIRTHDAY_AHEAD = datetime.timedelta(days=7)
# The usual interval is read from this many of the latest visits.
INTERVAL_VISITS = 6

DEFAULTS = {
    FollowUpKind.THANKS: (
        3,
        _("Thank you for visiting us"),
        # Sent hours after the visit: never "today".
        _("{customer}, thank you for visiting {salon}. We hope you enjoy your new style."),
    ),
    FollowUpKind.NEXT_VISIT: (
        0,
        _("Time for your next visit"),
        _("{customer}, it is about time for your next visit. {salon} looks forward to seeing you."),
    ),
    FollowUpKind.BIRTHDAY: (
        0,
        _("Happy birthday"),
        _("Happy birthday, {customer}! Everyone at {salon} wishes you a wonderful year."),
    ),
    FollowUpKind.LAPSED: (
        90,
        _("We miss you"),
        _("{customer}, how have you been? {salon} would be glad to see you again."),
    ),
}


def followup_rules(*, salon: Salon) -> dict[str, FollowUpRule]:
    """The salon's four rules, made (off, with ready-made words) the first time they are asked for."""
    rules = {rule.kind: rule for rule in FollowUpRule.objects.filter(salon=salon)}
    for kind, (delay, title, body) in DEFAULTS.items():
        if kind not in rules:
            rules[kind], _created = FollowUpRule.objects.get_or_create(
                salon=salon, kind=kind, defaults={"delay": delay, "title": str(title), "body": str(body)}
            )
    return {kind: rules[kind] for kind in DEFAULTS}


def _offset(kind: str, delay: int) -> datetime.timedelta:
    if kind == FollowUpKind.THANKS:
        return datetime.timedelta(hours=delay)
    if kind == FollowUpKind.BIRTHDAY:
        return datetime.timedelta(0)
    return datetime.timedelta(days=delay)


def _at_send_hour(salon: Salon, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(SEND_HOUR), tzinfo=zoneinfo.ZoneInfo(salon.timezone))


def usual_interval(*, customer: Customer) -> datetime.timedelta | None:
    """How long this customer usually stays away: the median gap between their latest visits."""
    days = sorted(
        set(
            Karte.objects.filter(customer=customer)
            .order_by("-treatment_date")
            .values_list("treatment_date", flat=True)[: INTERVAL_VISITS * 2]
        )
    )[-INTERVAL_VISITS:]
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
    return datetime.timedelta(days=statistics.median(gaps)) if gaps else None


def _plan(
    *, salon: Salon, customer: Customer, kind: str, key: str, base_at: datetime.datetime, rule: FollowUpRule
) -> None:
    """Schedule one message, or move it if it is still waiting (a karte edited)."""
    due_at = base_at + _offset(kind, rule.delay)
    existing = FollowUp.objects.filter(salon=salon, customer=customer, key=key).first()
    if existing is None:
        FollowUp.objects.create(
            salon=salon, customer=customer, kind=kind, key=key, base_at=base_at, due_at=due_at
        )
    elif existing.status == FollowUpStatus.SCHEDULED and (existing.base_at, existing.due_at) != (
        base_at,
        due_at,
    ):
        existing.base_at, existing.due_at = base_at, due_at
        existing.save(update_fields=["base_at", "due_at"])


def followups_plan_visit(*, karte: Karte) -> None:
    """After a visit is saved: its thank-you, and — for the customer's latest visit — the next-visit
    nudge and the lapsed message, replacing those of earlier visits that were still waiting."""
    salon, customer = karte.salon, karte.customer
    rules = followup_rules(salon=salon)
    if timezone.localdate() - karte.treatment_date <= THANKS_WITHIN:
        saved = karte.created_at or timezone.now()
        _plan(
            salon=salon,
            customer=customer,
            kind=FollowUpKind.THANKS,
            key=f"thanks:karte:{karte.pk}",
            base_at=saved,
            rule=rules[FollowUpKind.THANKS],
        )
    latest = Karte.objects.filter(customer=customer).order_by("-treatment_date", "-id").first()
    if latest is None or latest.pk != karte.pk:
        return
    waiting = FollowUp.objects.filter(
        customer=customer,
        status=FollowUpStatus.SCHEDULED,
        kind__in=[FollowUpKind.NEXT_VISIT, FollowUpKind.LAPSED],
    )
    waiting.exclude(key__endswith=f":karte:{karte.pk}").update(
        status=FollowUpStatus.CANCELLED, reason="new visit", done_at=timezone.now()
    )
    interval = (
        datetime.timedelta(weeks=karte.next_visit_weeks)
        if karte.next_visit_weeks is not None
        else usual_interval(customer=customer)
    )
    key = f"next_visit:karte:{karte.pk}"
    if interval is not None:
        _plan(
            salon=salon,
            customer=customer,
            kind=FollowUpKind.NEXT_VISIT,
            key=key,
            base_at=_at_send_hour(salon, karte.treatment_date + interval),
            rule=rules[FollowUpKind.NEXT_VISIT],
        )
    else:
        waiting.filter(key=key).update(
            status=FollowUpStatus.CANCELLED, reason="no interval", done_at=timezone.now()
        )
    _plan(
        salon=salon,
        customer=customer,
        kind=FollowUpKind.LAPSED,
        key=f"lapsed:karte:{karte.pk}",
        base_at=_at_send_hour(salon, karte.treatment_date),
        rule=rules[FollowUpKind.LAPSED],
    )


def followups_forget_visit(*, karte: Karte) -> None:
    """A karte deleted: its waiting messages go, and the customer's latest visit plans again."""
    FollowUp.objects.filter(
        customer_id=karte.customer_id, status=FollowUpStatus.SCHEDULED, key__endswith=f":karte:{karte.pk}"
    ).update(status=FollowUpStatus.CANCELLED, reason="karte deleted", done_at=timezone.now())
    latest = (
        Karte.objects.filter(customer_id=karte.customer_id)
        .exclude(pk=karte.pk)
        .order_by("-treatment_date", "-id")
        .first()
    )
    if latest is not None:
        followups_plan_visit(karte=latest)


def _month_days(day: datetime.date) -> list[int]:
    """The birthdays (month * 100 + day) celebrated on `day`: 29 February on the 28th of a year
    without one."""
    found = [day.month * 100 + day.day]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        found.append(229)
    return found


def followups_plan_birthdays(*, salon: Salon, today: datetime.date) -> int:
    """Schedule the birthday messages of the coming week (once per customer and year): the week's
    birthdays in one indexed read, and those already planned in another, however many customers
    the salon has."""
    rule = followup_rules(salon=salon)[FollowUpKind.BIRTHDAY]
    days = [today + datetime.timedelta(days=n) for n in range(BIRTHDAY_AHEAD.days + 1)]
    day_of = {md: day for day in days for md in _month_days(day)}
    born = list(
        Customer.objects.filter(
            salon=salon, archived_at__isnull=True, birthday_md__in=list(day_of)
        ).values_list("pk", "birthday_md")
    )
    keys = {f"birthday:{day.year}" for day in days}
    planned_before = set(
        FollowUp.objects.filter(customer_id__in=[pk for pk, _md in born], key__in=keys).values_list(
            "customer_id", "key"
        )
    )
    planned: list[FollowUp] = []
    for pk, md in born:
        day = day_of[int(md or 0)]
        key = f"birthday:{day.year}"
        if (pk, key) in planned_before:
            continue
        base_at = _at_send_hour(salon, day)
        planned.append(
            FollowUp(
                salon=salon,
                customer_id=pk,
                kind=FollowUpKind.BIRTHDAY,
                key=key,
                base_at=base_at,
                due_at=base_at + _offset(FollowUpKind.BIRTHDAY, rule.delay),
            )
        )
    # The constraint guards a race with another worker planning the same week.
    FollowUp.objects.bulk_create(planned, ignore_conflicts=True)
    return len(planned)


def followup_rules_update(*, salon: Salon, actor: Actor, rules: list[FollowUpRule]) -> None:
    """Save the owner's rules; messages still waiting move to the new timing."""
    with transaction.atomic():
        for rule in rules:
            rule.save()
            # One UPDATE for all that wait, however many customers the salon has.
            due = ExpressionWrapper(
                F("base_at") + _offset(rule.kind, rule.delay), output_field=DateTimeField()
            )
            FollowUp.objects.filter(kind=rule.kind, status=FollowUpStatus.SCHEDULED).update(due_at=due)
        audit_log(
            salon=salon,
            actor=actor,
            action=actions.FOLLOWUP_RULES,
            target=salon,
            summary=salon.name,
            data={rule.kind: {"enabled": rule.enabled, "delay": rule.delay} for rule in rules},
        )


def followup_cancel(*, followup: FollowUp, actor: Actor) -> None:
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.SCHEDULED).update(
            status=FollowUpStatus.CANCELLED, reason="staff", cancelled_by=actor, done_at=timezone.now()
        )
        if updated:
            audit_log(
                salon=followup.salon,
                actor=actor,
                action=actions.FOLLOWUP_CANCEL,
                target=followup,
                summary=followup.customer.name,
                data={"kind": followup.kind, "due": followup.due_at.isoformat()},
            )


def render(text: str, *, customer: Customer, salon: Salon) -> str:
    return fill(text, customer_name=customer.name, salon_name=salon.name)


def fill(text: str, *, customer_name: str, salon_name: str) -> str:
    """The owner's words with the customer's name (and 様) and the salon's name put in, as sent.
    Plain replacement: the owner's words are never a format string. static/js/followup-preview.js
    does the same as the owner types."""
    return text.replace("{customer}", f"{customer_name}様").replace("{salon}", salon_name)


# Messages are sent this many at a time, each batch in one transaction of a constant number of
# queries: the batch held with its customers and whether each has a phone, the salons' rules, then
# the notices, their log entries and the messages' outcome written at once.
SEND_BATCH = 100


def followups_send_due(*, now: datetime.datetime, limit: int = 500) -> dict[str, int]:
    """Send what is due, for every salon (run with scopes disabled), each message exactly once:
    a batch's rows are held (rows another worker holds are skipped) and its notices made in one
    transaction, so a worker that dies before the commit leaves them waiting, and one that retries
    finds them sent.

    Returns how many messages were sent, and skipped for each reason (off, archived, not linked,
    no app)."""
    outcome: dict[str, int] = {}
    done = 0
    while done < limit:
        batch = _send_batch(now=now, size=min(SEND_BATCH, limit - done))
        for result in batch:
            outcome[result] = outcome.get(result, 0) + 1
        done += len(batch)
        if len(batch) < SEND_BATCH:
            break
    return outcome


def _send_batch(*, now: datetime.datetime, size: int) -> list[str]:
    with transaction.atomic():
        due = list(
            FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=FollowUpStatus.SCHEDULED, due_at__lte=now)
            .select_related("customer", "salon")
            .annotate(linked=Exists(active_devices_of(OuterRef("customer"))))
            .order_by("due_at", "pk")[:size]
        )
        if not due:
            return []
        rules = {
            (rule.salon_id, rule.kind): rule
            for rule in FollowUpRule.objects.filter(salon_id__in={followup.salon_id for followup in due})
        }
        results, notices, sent = [], [], []
        for followup in due:
            salon, customer = followup.salon, followup.customer
            rule = rules.get((salon.pk, followup.kind))
            reason = ""
            if rule is None or not rule.enabled:
                reason = "off"
            elif customer.archived_at is not None:
                reason = "archived"
            elif not salon.customer_app_enabled:
                reason = "no app"
            elif not followup.linked:
                reason = "not linked"
            followup.done_at = now
            if reason:
                followup.status, followup.reason = FollowUpStatus.SKIPPED, reason
                results.append(reason)
                continue
            assert rule is not None
            notices.append(
                Notice(
                    salon=salon,
                    title=render(rule.title, customer=customer, salon=salon)[:100],
                    body=render(rule.body, customer=customer, salon=salon),
                    starts_at=followup.due_at,
                    ends_at=now + SHOWN_FOR,
                    customer=customer,
                    source=NoticeSource.FOLLOWUP,
                )
            )
            sent.append(followup)
            results.append("sent")
        for followup, notice in zip(sent, notices_create_many(notices=notices), strict=True):
            followup.status, followup.notice = FollowUpStatus.SENT, notice
        FollowUp.objects.bulk_update(due, ["status", "reason", "notice", "done_at"])
        return results
