"""Named hooks: how a lower app lets a higher one react, without importing it.

The lower app declares a hook and calls it at one explicit point of its workflow (inside its
transaction); the higher app subscribes in its ready(). Unlike a model signal, a hook fires only
where it is called, with keyword arguments named by its declaration.
"""

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str, *, arguments: tuple[str, ...]):
        self.name = name
        self.arguments = arguments
        self._receivers: list[Callable[..., Any]] = []

    def subscribe(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs: Any) -> None:
        if set(kwargs) != set(self.arguments):
            raise TypeError(f"Hook {self.name} takes {', '.join(self.arguments)}; got {', '.join(kwargs)}.")
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"
