"""The demo salon, made by the apps themselves: each app's ``demo.py`` adds its own part.

The loader (operations) makes the salon and its staff, then runs every step in order. A step gets
the Demo, reads what earlier steps made and adds what it made for later ones.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SEED = 20261122


@dataclass
class Demo:
    salon: Any
    owner: Any  # the owner's StaffMember
    staff: list[Any]  # every StaffMember who serves customers
    customer_count: int
    today: datetime.date = field(default_factory=datetime.date.today)
    customers: list[Any] = field(default_factory=list)
    linked: list[Any] = field(default_factory=list)  # customers with a linked phone

    def random(self, step: str) -> random.Random:
        """A generator of its own for each step, so one app's demo never shifts another's."""
        return random.Random(f"{SEED}:{step}")


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    make: Callable[[Demo], None]


_STEPS: list[DemoStep] = []


def demo_step(order: int) -> Callable[[Callable[[Demo], None]], Callable[[Demo], None]]:
    """Decorator for an app's demo function; steps run from the lowest order up."""

    def register(make: Callable[[Demo], None]) -> Callable[[Demo], None]:
        _STEPS.append(DemoStep(order, f"{make.__module__}.{make.__name__}", make))
        return make

    return register


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS, key=lambda step: (step.order, step.name))
