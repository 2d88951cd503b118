"""Paging that never counts more than it shows a use for."""

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most `cap` rows: a page of a salon's 50,000 customers costs what a page of 500 does.

    Past the cap the count says "more than" and the pages end there; search finds the rest.
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int = 1000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list):
            return min(len(self.object_list), self.cap + 1)
        # A queryset: the count runs over at most cap + 1 rows.
        counted: int = self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]
        return min(counted, self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        shown = min(self.count, self.cap)
        return max(1, -(-shown // self.per_page))

    @property
    def num_pages_label(self) -> str:
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)
