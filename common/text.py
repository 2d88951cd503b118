"""Text normalisation for Japanese search: staff may type either width and either kana."""

import re
import unicodedata

_KATAKANA_START, _KATAKANA_END = ord("ァ"), ord("ヶ")
_HIRAGANA_OFFSET = ord("ァ") - ord("ぁ")
_KANA_ONLY = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\u309b\u309c\u309d\u309e\u30fd\u30fe 　]+$")


def katakana_to_hiragana(text: str) -> str:
    return "".join(
        chr(ord(ch) - _HIRAGANA_OFFSET) if _KATAKANA_START <= ord(ch) <= _KATAKANA_END else ch for ch in text
    )


def normalize_search(text: str) -> str:
    """Fold width, kana and case so that ﾔﾏﾀﾞ, ヤマダ and やまだ all compare equal."""
    text = unicodedata.normalize("NFKC", text or "")
    text = katakana_to_hiragana(text).lower()
    # The long-vowel mark is kept out of the folded form so that "ゆーこ" and "ゆうこ" stay distinct
    # only where staff typed them distinctly; spaces and dots never matter.
    return re.sub(r"[\s\u3000・]+", "", text)


def normalize_kana(text: str) -> str:
    """Kana as the customer spells it (katakana stays katakana), full width, with single spaces."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return re.sub(r"[\s\u3000]+", " ", text)


def kana_sort_key(text: str) -> str:
    """The furigana folded to hiragana without spaces: the あいうえお order, whatever kana was typed."""
    return katakana_to_hiragana(normalize_kana(text)).replace(" ", "")


def is_kana(text: str) -> bool:
    return bool(_KANA_ONLY.match(unicodedata.normalize("NFKC", text)))


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


# Every dash a Japanese keyboard or IME gives, the long-vowel mark ー (typed in kana mode) included.
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70\ufe63\uff0d]")
_MOBILE = re.compile(r"0[5-9]0\d{8}")


def looks_like_phone(text: str) -> bool:
    """Digits with the separators people put in phone numbers, whatever their width."""
    folded = _DASHES.sub("-", unicodedata.normalize("NFKC", text or "")).strip()
    return bool(re.fullmatch(r"[\d\s\-()+]+", folded)) and any(ch.isdigit() for ch in folded)


def normalize_phone(text: str) -> str:
    """A phone number in the one form Karte stores, however it was typed: ０９０ー１２３４ー５６７８,
    090 1234 5678, (03)1234-5678, +81 90-1234-5678 and 09012345678 become 090-1234-5678 or
    03-1234-5678. Groups keep the hyphens typed; digits typed without any are grouped where the
    grouping is certain (mobile and IP phones, Tokyo and Osaka, toll-free).

    Returns "" for nothing typed; raises ValueError for what is not a phone number.
    """
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", text or "")).strip()
    if not text:
        return ""
    international = text.startswith("+")
    groups = [group for group in re.split(r"[\s\-().]+", text.removeprefix("+")) if group]
    if not groups or not all(group.isascii() and group.isdigit() for group in groups):
        raise ValueError(text)
    if international and groups[0].startswith("81"):
        # A Japanese number written for abroad: back to how it is dialled at home.
        national = [group for group in (groups[0][2:], *groups[1:]) if group]
        if not national:
            raise ValueError(text)
        groups = [f"0{national[0]}", *national[1:]]
        international = False
    digits = "".join(groups)
    if international:
        if not 8 <= len(digits) <= 15:
            raise ValueError(text)
        return "+" + "-".join(groups)
    if not (digits.startswith("0") and 10 <= len(digits) <= 11):
        raise ValueError(text)
    if len(groups) == 1:
        if _MOBILE.fullmatch(digits):
            groups = [digits[:3], digits[3:7], digits[7:]]
        elif len(digits) == 10 and digits[:2] in {"03", "06"}:
            groups = [digits[:2], digits[2:6], digits[6:]]
        elif (len(digits) == 10 and digits.startswith("0120")) or (
            len(digits) == 11 and digits.startswith("0800")
        ):
            groups = [digits[:4], digits[4:7], digits[7:]]
    return "-".join(groups)


def normalize_postcode(text: str) -> str:
    """A Japanese postcode as 123-4567, however typed: 〒１２３ー４５６７, 1234567, 123 4567.

    Returns "" for nothing typed; raises ValueError for anything but seven digits.
    """
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", text or "")).strip().lstrip("〒").strip()
    if not text:
        return ""
    digits = re.sub(r"[\s\-]", "", text)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 7):
        raise ValueError(text)
    return f"{digits[:3]}-{digits[3:]}"


def parse_id(text: str) -> int | None:
    """A record's id as sent in a form or a query: 1 to 18 ASCII digits, else None."""
    text = str(text or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def parse_customer_number(text: str) -> int | None:
    """A customer number as typed (00042, ４２, No.42 is refused): None for nothing typed.

    Raises ValueError for what is not 1 to 8 digits, or is zero.
    """
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 8) or int(text) == 0:
        raise ValueError(text)
    return int(text)


def parse_yen(text: str) -> int | None:
    """An amount of yen as typed: 5500, 5,500, ￥5,500, ５５００円. None for nothing typed.

    Raises ValueError for anything else (negative amounts, decimals, words).
    """
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    text = re.sub(r"^[¥\\]|円$|[,\s]", "", text)
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 8):
        raise ValueError(text)
    return int(text)
