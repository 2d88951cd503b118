"""Customer CSV as Japanese Excel writes it: reading (any encoding Excel uses, headers in Japanese
or English, columns in any order) and writing (the same headers, so an export imports again)."""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from common.spreadsheet import cell_in, row_out
from common.text import (
    digits_only,
    is_kana,
    normalize_kana,
    normalize_phone,
    normalize_postcode,
    parse_customer_number,
)
from customers.models import Gender, number_text

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000

# field: (the header Karte writes, other headers people use), compared folded (fold_header).
COLUMNS = {
    "number": (
        "顧客番号",
        ["会員番号", "お客様番号", "顧客no", "no", "number", "customer number", "customer no"],
    ),
    "name": ("氏名", ["名前", "お名前", "顧客名", "name", "full name"]),
    "kana": (
        "フリガナ",
        ["ふりがな", "カナ", "氏名カナ", "氏名(カナ)", "氏名(フリガナ)", "furigana", "kana"],
    ),
    "phone": ("携帯電話", ["携帯", "携帯番号", "携帯電話番号", "電話番号", "電話", "tel", "mobile", "phone"]),
    "other_phone": ("その他の電話番号", ["自宅電話", "固定電話", "電話番号2", "tel2", "other phone"]),
    "email": ("メールアドレス", ["メール", "eメール", "email", "e-mail", "mail"]),
    "birthday": ("生年月日", ["誕生日", "birthday", "date of birth", "birth date"]),
    "gender": ("性別", ["gender", "sex"]),
    "postcode": ("郵便番号", ["〒", "postcode", "postal code", "zip", "zip code"]),
    "address": ("住所", ["address"]),
    "allergies": ("アレルギー・注意事項", ["アレルギー", "注意事項", "allergies", "cautions"]),
    "memo": ("メモ", ["備考", "スタッフメモ", "memo", "notes", "note"]),
}
# Columns some books split in two or more; joined into one field.
SPLIT_COLUMNS = {
    "name": [["姓", "名"], ["last name", "first name"]],
    "kana": [["セイ", "メイ"], ["せい", "めい"]],
    "address": [
        ["都道府県", "市区町村", "番地", "建物名"],
        ["都道府県", "住所1", "住所2"],
        ["住所1", "住所2"],
    ],
}
GENDERS = {
    "女性": Gender.FEMALE, "女": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE,
    "男性": Gender.MALE, "男": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
    "その他": Gender.OTHER, "other": Gender.OTHER,
    "回答しない": Gender.NO_ANSWER, "無回答": Gender.NO_ANSWER, "prefer not to say": Gender.NO_ANSWER,
}  # fmt: skip
GENDER_WRITTEN = {
    Gender.FEMALE: "女性",
    Gender.MALE: "男性",
    Gender.OTHER: "その他",
    Gender.NO_ANSWER: "回答しない",
}
ERAS = {
    "明治": 1867,
    "大正": 1911,
    "昭和": 1925,
    "平成": 1988,
    "令和": 2018,
    "m": 1867,
    "t": 1911,
    "s": 1925,
    "h": 1988,
    "r": 2018,
}


class ImportRefused(Exception):
    """The file as a whole cannot be read; the message says why, in the user's language."""


def fold_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lstrip("\ufeff").lower()
    return re.sub(r"[\s\u3000（）()・_]", "", text.replace("（", "(").replace("）", ")"))


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in: UTF-8 (with or without BOM) or Shift_JIS (CP932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encodings = data[3:], ["utf-8"]
    else:
        encodings = ["utf-8", "cp932"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(_is_binary(ch) for ch in text):
            return text, "utf-8-sig" if len(encodings) == 1 else encoding
    raise ImportRefused(_("The file is neither UTF-8 nor Shift_JIS text. Save it from Excel as “CSV”."))


def _is_binary(ch: str) -> bool:
    # Control characters other than tab and line ends, and the private-use area Shift_JIS decodes
    # stray bytes into: a picture or a spreadsheet file, not text.
    return ch not in "\t\r\n" and unicodedata.category(ch) in {"Cc", "Co"}


def parse_date(text: str) -> datetime.date:
    """1990/1/2, 1990-01-02, 1990年1月2日, 19900102, 平成2年1月2日, H2.1.2."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    era = re.fullmatch(
        r"(明治|大正|昭和|平成|令和|[mtshr])\s*(\d{1,2}|元)[年./-](\d{1,2})[月./-](\d{1,2})日?", text
    )
    if era:
        year = ERAS[era.group(1)] + (1 if era.group(2) == "元" else int(era.group(2)))
        return datetime.date(year, int(era.group(3)), int(era.group(4)))
    match = re.fullmatch(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(part) for part in match.groups()))


@dataclass
class Row:
    line: int
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # What the owner may accept: a mobile number shared with another row or customer (a family).
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.data.get("name", "")


@dataclass
class Parsed:
    """What the preview shows, from one walk of the file that keeps none of its rows but the first
    few of each kind: the memory a file takes does not grow with its rows."""

    columns: list[str]  # the fields found, in Karte's order
    ignored: list[str]  # headers not understood
    rows: int = 0
    valid_count: int = 0
    warned_count: int = 0  # valid, with a mobile number shared with another row or customer
    invalid_count: int = 0
    valid_rows: list[Row] = field(default_factory=list)  # the first SHOWN_VALID of each
    warned_rows: list[Row] = field(default_factory=list)  # the first SHOWN
    invalid_rows: list[Row] = field(default_factory=list)
    highest_number: int = 0  # the highest customer number a valid row gives

    def to_import(self, *, accept_shared: bool) -> int:
        """How many rows an import adds."""
        return self.valid_count - (0 if accept_shared else self.warned_count)


def importable(rows: Iterator[Row], *, accept_shared: bool) -> Iterator[Row]:
    return (row for row in rows if not row.errors and (accept_shared or not row.warnings))


def _header_map(header: list[str]) -> tuple[dict[str, list[int]], list[str]]:
    folded = [fold_header(cell) for cell in header]
    found: dict[str, list[int]] = {}
    used: set[int] = set()
    for name, (written, others) in COLUMNS.items():
        names = {fold_header(written), *(fold_header(other) for other in others)}
        index = next((i for i, cell in enumerate(folded) if cell in names and i not in used), None)
        if index is not None:
            found[name] = [index]
            used.add(index)
    for name, groups in SPLIT_COLUMNS.items():
        if name in found:
            continue
        for group in groups:
            indexes = [folded.index(fold_header(part)) for part in group if fold_header(part) in folded]
            if len(indexes) >= 2 and not used.intersection(indexes):
                found[name] = indexes
                used.update(indexes)
                break
    ignored = [cell for i, cell in enumerate(header) if i not in used and cell.strip()]
    return found, ignored


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _clean(raw: dict[str, str], row: Row) -> None:
    data, errors = row.data, row.errors
    data["name"] = _one_line(raw.get("name", ""))[:60]
    if not data["name"]:
        errors.append(_("The name is empty."))
    kana = raw.get("kana", "").strip()
    if not kana:
        errors.append(_("The furigana is empty."))
    elif not is_kana(kana):
        errors.append(_("The furigana “%(kana)s” is not in hiragana or katakana.") % {"kana": kana})
    data["kana"] = normalize_kana(kana)[:60]
    for name in ("phone", "other_phone"):
        try:
            data[name] = normalize_phone(raw.get(name, ""))
        except ValueError:
            errors.append(_("The phone number “%(phone)s” is not 10 or 11 digits.") % {"phone": raw[name]})
    email = raw.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("The email address “%(email)s” is not valid.") % {"email": email})
    data["email"] = email
    birthday = raw.get("birthday", "").strip()
    data["birthday"] = None
    if birthday:
        try:
            data["birthday"] = parse_date(birthday)
        except ValueError:
            errors.append(_("The birthday “%(date)s” is not a date such as 1990/04/01.") % {"date": birthday})
        else:
            if not data["birthday"].year >= 1900 or data["birthday"] > timezone.localdate():
                errors.append(
                    _("The birthday “%(date)s” is in the future or before 1900.") % {"date": birthday}
                )
    gender = fold_header(raw.get("gender", ""))
    data["gender"] = GENDERS.get(gender, "")
    if gender and gender not in GENDERS:
        errors.append(
            _("The gender “%(gender)s” is not one of 女性, 男性, その他, 回答しない.")
            % {"gender": raw["gender"]}
        )
    try:
        data["postcode"] = normalize_postcode(raw.get("postcode", ""))
    except ValueError:
        errors.append(_("The postcode “%(postcode)s” is not 7 digits.") % {"postcode": raw["postcode"]})
    data["address"] = _one_line(raw.get("address", ""))[:200]
    data["allergies"] = raw.get("allergies", "").strip()[:4000]
    data["memo"] = raw.get("memo", "").strip()[:4000]
    try:
        data["number"] = parse_customer_number(raw.get("number", ""))
    except ValueError:
        errors.append(
            _("The customer number “%(number)s” is not up to 8 digits.") % {"number": raw["number"]}
        )
        data["number"] = None


# What a Parsed keeps of each kind of row, for the preview.
SHOWN = 500
SHOWN_VALID = 20


def parse(text: str, *, existing_numbers: set[int], existing_phones: dict[str, str]) -> Parsed:
    """Every row of the file checked (parse_rows), counted, and the first few of each kind kept."""
    columns, ignored, rows = parse_rows(
        text, existing_numbers=existing_numbers, existing_phones=existing_phones
    )
    parsed = Parsed(columns=columns, ignored=ignored)
    for row in rows:
        parsed.rows += 1
        if row.errors:
            parsed.invalid_count += 1
            if len(parsed.invalid_rows) < SHOWN:
                parsed.invalid_rows.append(row)
            continue
        parsed.valid_count += 1
        parsed.highest_number = max(parsed.highest_number, row.data["number"] or 0)
        if len(parsed.valid_rows) < SHOWN_VALID:
            parsed.valid_rows.append(row)
        if row.warnings:
            parsed.warned_count += 1
            if len(parsed.warned_rows) < SHOWN:
                parsed.warned_rows.append(row)
    return parsed


def parse_rows(
    text: str, *, existing_numbers: set[int], existing_phones: dict[str, str]
) -> tuple[list[str], list[str], Iterator[Row]]:
    """The columns found, the headers not understood, and every row of the file, one at a time,
    with its cleaned fields and its problems in the user's language (a row's problems are final
    when it is given: they name only earlier lines). Raises ImportRefused at once for a file
    without the columns it needs.

    `existing_numbers` are the salon's customer numbers; `existing_phones` maps the digits of its
    customers' mobile numbers to their names, so a customer already kept is not added twice.
    """
    reader = csv.reader(_lines(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(_("The file is empty.")) from None
    except csv.Error:
        raise ImportRefused(_("The file is not a CSV file Karte can read.")) from None
    found, ignored = _header_map(header)
    if "name" not in found or "kana" not in found:
        raise ImportRefused(
            _(
                "The first row must name the columns, with at least 氏名 and フリガナ. "
                "Download the template to see how."
            )
        )
    columns = [name for name in COLUMNS if name in found]
    return columns, ignored, _rows(reader, found, existing_numbers, existing_phones)


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, one at a time (a StringIO would copy the whole text, at
    four bytes a character). Lines end in LF or CRLF, or in CR alone in a file that has no LF
    (Excel for Mac's “CSV (Macintosh)”)."""
    end_of_line = "\n" if "\n" in text or "\r" not in text else "\r"
    start, size = 0, len(text)
    while start < size:
        end = text.find(end_of_line, start)
        if end == -1:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _rows(
    reader: Any, found: dict[str, list[int]], existing_numbers: set[int], existing_phones: dict[str, str]
) -> Iterator[Row]:
    count = 0
    seen_numbers: dict[int, int] = {}
    seen_phones: dict[str, int] = {}
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if count >= MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(count)s rows. Split it into smaller files.")
                    % {"count": f"{MAX_ROWS:,}"}
                )
            count += 1
            row = Row(line=reader.line_num)
            cells = [cell_in(cell) for cell in cells]
            raw = {
                name: " ".join(cells[i].strip() for i in indexes if i < len(cells) and cells[i].strip())
                for name, indexes in found.items()
            }
            _clean(raw, row)
            number = row.data.get("number")
            if number is not None:
                if number in existing_numbers:
                    row.errors.append(
                        _("Customer number %(number)s is already used by a customer of the salon.")
                        % {"number": number_text(number)}
                    )
                elif number in seen_numbers:
                    row.errors.append(
                        _("Customer number %(number)s is also on line %(line)s.")
                        % {"number": number_text(number), "line": seen_numbers[number]}
                    )
                else:
                    seen_numbers[number] = row.line
            digits = digits_only(row.data.get("phone", ""))
            if digits:
                # Family members often share one mobile, and the salon keeps them apart; the
                # owner sees each such row and decides, as with a customer typed in by hand.
                if digits in existing_phones:
                    row.warnings.append(
                        _("The same mobile number as %(name)s, a customer already kept.")
                        % {"name": existing_phones[digits]}
                    )
                if digits in seen_phones:
                    row.warnings.append(
                        _("The same mobile number as line %(line)s.") % {"line": seen_phones[digits]}
                    )
                else:
                    seen_phones[digits] = row.line
            yield row
    except csv.Error:
        raise ImportRefused(
            _("Line %(line)s of the file could not be read as CSV.") % {"line": reader.line_num + 1}
        ) from None


def header_row() -> list[str]:
    return [written for written, _others in COLUMNS.values()]


def slashed_date(value) -> str:
    """A date as the export writes it (2026/12/06), from a date or the ISO text SQLite returns."""
    if not value:
        return ""
    return (value if isinstance(value, str) else value.isoformat()).replace("-", "/")


def customer_rows(values) -> Iterator[list[str]]:
    """Rows for customers read as plain values, one per COLUMNS field in that order (a birthday
    as a date or as ISO text)."""
    for (
        number,
        name,
        kana,
        phone,
        other_phone,
        email,
        birthday,
        gender,
        postcode,
        address,
        allergies,
        memo,
    ) in values:
        yield [
            number_text(number),
            name,
            kana,
            phone,
            other_phone,
            email,
            slashed_date(birthday),
            GENDER_WRITTEN.get(gender, ""),
            postcode,
            address,
            allergies,
            memo,
        ]


TEMPLATE_EXAMPLE = [
    "",
    "山田 花子",
    "ヤマダ ハナコ",
    "090-1234-5678",
    "",
    "hanako@example.jp",
    "1990/04/01",
    "女性",
    "150-0001",
    "東京都渋谷区神宮前1-2-3",
    "ジアミンアレルギー",
    "前髪は短め",
]


def encode_csv(rows, encoding: str) -> bytes:
    """Rows as Excel reads them: CRLF line ends, UTF-8 with BOM or CP932 (characters CP932 lacks
    become ?), and no cell Excel would run as a formula (common.spreadsheet)."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(map(row_out, rows))
    text = out.getvalue()
    if encoding == "cp932":
        return text.encode("cp932", errors="replace")
    return b"\xef\xbb\xbf" + text.encode("utf-8")
