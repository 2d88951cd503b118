"""The demo salon's follow-ups: the thank-you and the next-visit nudge on; birthday and lapsed
messages left for the owner to try."""

from common.demo import Demo, demo_step

from .services import followup_rules


@demo_step(10)
def demo_followup_rules(demo: Demo) -> None:
    for kind, rule in followup_rules(salon=demo.salon).items():
        rule.enabled = kind in {"thanks", "next_visit"}
        rule.save()
