"""Bookings kept elsewhere (a paper book, Excel, Hot Pepper's list) brought into the ledger: a CSV
read the same Excel-friendly way as customers (UTF-8 or Shift_JIS, Japanese or English headers,
dates as Excel writes them), every row checked before anything is booked."""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .customer_csv import ImportRefused, fold_header, parse_date

MAX_ROWS = 5_000
COLUMNS = {
    "date": {"日付", "予約日", "date"},
    "time": {"開始", "開始時刻", "時刻", "time", "start"},
    "minutes": {"所要時間", "所要時間(分)", "分", "minutes"},
    "number": {"顧客番号", "会員番号", "number"},
    "phone": {"携帯電話", "電話番号", "電話", "phone", "mobile"},
    "staff": {"担当", "担当者", "スタッフ", "staff"},
    "menus": {"メニュー", "menu", "menus"},
    "source": {"経路", "予約経路", "source"},
    "note": {"メモ", "備考", "note"},
}
SOURCES = {
    "店頭": "counter",
    "電話": "phone",
    "アプリ": "app",
    "hpb": "hpb",
    "ホットペッパー": "hpb",
    "その他": "other",
}


@dataclass
class AppointmentRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    starts_at: datetime.datetime | None = None
    minutes: int = 60
    # Found when the rows are checked against the salon (transfer.services.appointment_import).
    customer: Any = None
    staff: Any = None
    menus: list[Any] = field(default_factory=list)
    booked: bool = False


def _time(text: str) -> datetime.time:
    text = unicodedata.normalize("NFKC", text).strip()
    match = re.fullmatch(r"(\d{1,2})[:時](\d{2})分?", text)
    if not match:
        raise ValueError(text)
    return datetime.time(int(match.group(1)), int(match.group(2)))


def parse(text: str, *, tz: datetime.tzinfo) -> list[AppointmentRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ImportRefused(_("The file is empty."))
    folded = [fold_header(name) for name in header]
    where = {
        key: index
        for key, names in COLUMNS.items()
        for index, name in enumerate(folded)
        if name in {fold_header(n) for n in names}
    }
    if "date" not in where or "time" not in where or not ({"number", "phone"} & where.keys()):
        message = _("The first row must name 日付, 開始 and 顧客番号 or 携帯電話. Start from the template.")
        raise ImportRefused(message)
    rows: list[AppointmentRow] = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(
                _("Import at most %(count)s appointments at a time.") % {"count": f"{MAX_ROWS:,}"}
            )
        values = {key: (cells[index].strip() if index < len(cells) else "") for key, index in where.items()}
        row = AppointmentRow(line=line, values=values)
        try:
            day = parse_date(values["date"])
            row.starts_at = datetime.datetime.combine(day, _time(values["time"]), tzinfo=tz)
        except ValueError:
            row.errors.append(_("Date or time not understood (e.g. 2026/12/10 and 10:30)."))
        if values.get("minutes"):
            digits = unicodedata.normalize("NFKC", values["minutes"])
            if digits.isdigit() and 5 <= int(digits) <= 600:
                row.minutes = int(digits)
            else:
                row.errors.append(_("The length must be minutes between 5 and 600."))
        rows.append(row)
    return rows


def source_of(text: str) -> str:
    return SOURCES.get(
        unicodedata.normalize("NFKC", text or "").strip().lower(), "other" if text else "phone"
    )


TEMPLATE = [
    ["日付", "開始", "所要時間(分)", "顧客番号", "携帯電話", "担当", "メニュー", "経路", "メモ"],
    ["2026/12/10", "10:30", "90", "00012", "", "山田", "カット・カラー", "電話", ""],
    ["2026/12/11", "15:00", "", "", "090-1234-5678", "", "", "HPB", "初回"],
]
