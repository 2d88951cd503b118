"""Audit actions: plain strings each app declares beside its services, with a label.

The log stores the string; the label (lazy, so in the reader's language) is looked up when the log
is shown. A new action is one line in its app's ``actions.py``, with no migration.
"""

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}


class Action(str):
    """An action name such as ``"karte.create"``; declaring one registers its label."""

    label: str | Promise

    def __new__(cls, name: str, label: str | Promise) -> "Action":
        known = _LABELS.get(name)
        if known is not None and str(known) != str(label):
            raise ValueError(f"Audit action {name!r} is declared twice with different labels.")
        action = super().__new__(cls, name)
        action.label = label
        _LABELS[name] = label
        return action


def action_label(name: str) -> str:
    """The action in the reader's language; an action no app declares any more reads as stored."""
    label = _LABELS.get(name)
    return str(label) if label is not None else name


def declared_actions() -> dict[str, str | Promise]:
    return dict(_LABELS)
