"""Cells that a spreadsheet would run as formulas, made inert on the way out and restored on the way in.

Excel, LibreOffice and Google Sheets treat a cell that starts with = + - @ (or a tab or carriage
return before one) as a formula, so a customer who types `=HYPERLINK(…)` as their name on the
counter sheet could send a neighbouring cell away when the owner opens the export. Such cells are
written with a leading apostrophe, as OWASP advises. A cell that starts with an apostrophe before
such a character gets one more, so that reading back removes exactly one and every value
round-trips.
"""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(cell: str) -> bool:
    return cell.lstrip("'").startswith(FORMULA_STARTS)


def cell_out(value: object) -> str:
    """A value as a cell no spreadsheet runs."""
    text = "" if value is None else str(value)
    return "'" + text if _needs_quote(text) else text


# A cell starting with none of these is written as it is (what nearly every cell is).
_GUARDED_FIRST = frozenset(FORMULA_STARTS) | {"'"}


def row_out(row: Iterable[object]) -> list[object]:
    """cell_out for each cell of a row, looking no further than the first character of most."""
    return [
        cell if cell.__class__ is str and (not cell or cell[0] not in _GUARDED_FIRST) else cell_out(cell)  # type: ignore[index]
        for cell in row
    ]


def cell_in(text: str) -> str:
    """Undo cell_out: the value as it was before it was written."""
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text
