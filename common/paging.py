"""Paging that never counts more than it shows a use for."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: a page of a salon's 50,000 customers costs what a page of 500 does.

    Past the cap the count says "more than" and the pages end there; search finds the rest.
    """

    def __init__(self, object_list, per_page, *, cap: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list):
            return min(len(self.object_list), self.cap + 1)
        # A queryset: the count runs over at most cap + 1 rows.
        return min(self.object_list[: self.cap + 1].count(), self.cap + 1)  # type: ignore[attr-defined]

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
