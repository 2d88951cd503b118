import datetime

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from counselling.models import QuestionKind

register = template.Library()


@register.filter
def answer_text(answer: dict) -> str:
    """One answer as staff read it: はい／いいえ, choices joined, a date in the local format."""
    value = answer.get("value")
    if value in (None, "", []):
        return _("(no answer)")
    if answer.get("kind") == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(value)
    if answer.get("kind") == QuestionKind.DATE:
        try:
            return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


@register.filter
def is_unanswered(answer: dict) -> bool:
    return answer.get("value") in (None, "", [])
