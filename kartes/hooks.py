"""What a saved or deleted visit tells the apps above kartes (follow-ups plan their messages)."""

from common.hooks import Hook

# Called inside the saving transaction, after the karte and its items are written.
visit_saved = Hook("kartes.visit_saved", arguments=("karte",))
# Called inside the deleting transaction, before the karte goes.
visit_deleted = Hook("kartes.visit_deleted", arguments=("karte",))
