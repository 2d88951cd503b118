"""Lists on the phone, a page at a time."""

# The phone shows the newest 30 kartes or notices, and 「もっと見る」 brings the next 30.
PAGE_SIZE = 30


def page_of(queryset, request) -> dict:
    """One page of a list, newest first, without counting the whole list (one row more says if
    there is more)."""
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return {
        "rows": rows[:PAGE_SIZE],
        "first": number == 1,
        "next_page": number + 1 if len(rows) > PAGE_SIZE else None,
    }
