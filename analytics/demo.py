"""The demo salon's 分析, worked out once everything else is there."""

from common.demo import Demo, demo_step

from .services import analytics_roll_up


@demo_step(90)
def demo_analytics(demo: Demo) -> None:
    analytics_roll_up(salon=demo.salon)
