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
    """Store kana as full-width hiragana with single spaces, the form used for あいうえお order."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    text = katakana_to_hiragana(text)
    return re.sub(r"[\s\u3000]+", " ", text)


def is_kana(text: str) -> bool:
    return bool(_KANA_ONLY.match(unicodedata.normalize("NFKC", text)))


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))
