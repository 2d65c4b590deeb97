"""Vietnamese text typed in the legacy 8-bit encodings, turned into Unicode (NFC).

Before Unicode (TCVN 6909:2001) Vietnamese documents were typed with font-based encodings: the
letters are ordinary Latin-1 code points that a special font draws as Vietnamese letters. Read
without the font, the text is mojibake:

- **TCVN3 / ABC** (fonts ``.VnTime``, ``.VnArial``...): one byte per letter, ``§¶ng céng s¶n`` =
  ``Đảng cộng sản``. Its capitals fonts (``.VnTimeH``) use the lower-case codes, so case is lost.
  PDF text layers carry substitutes for two bytes whose glyphs look like symbols: U+2212 (−) or the
  soft hyphen for ``ư``, U+2219 (∙) for ``ã``.
- **VNI** (fonts ``VNI-Times``...): a base letter followed by mark characters, ``Coäng hoøa`` =
  ``Cộng hòa``.

:func:`repair` detects which encoding a text is in by how many of its words become well-formed
Vietnamese syllables when decoded, and converts it only when that clearly improves the text.
The TCVN3 table is TCVN 5712:1993 (VN3), checked in the tests against glibc's ``TCVN5712-1`` codec.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.lang.vi_syllables import has_vietnamese_letters, is_syllable

# --- TCVN3 (TCVN 5712:1993, VN3): Latin-1 code point -> Vietnamese letter ---------------------------
_TCVN3_LETTERS = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFD: "ý",
    0xFE: "ỵ",
    # VN1 capitals with tone marks that also occur in VN3 files
    0xAF: "Ằ",
    0xBA: "Ẳ",
    0xBF: "Ẵ",
    0xC0: "Ắ",
    0xC1: "Ầ",
    0xC2: "Ẩ",
    0xC3: "Ẫ",
    0xC4: "Ấ",
    0xC5: "Ề",
    0xCD: "Ể",
    0xD9: "Ễ",
    0xDA: "Ế",
    0xDB: "Ồ",
    0xE0: "Ổ",
    0xF0: "Ỗ",
    0xFF: "Ố",
    # combining tone marks
    0xB0: "\u0300",
    0xB1: "\u0309",
    0xB2: "\u0303",
    0xB3: "\u0301",
    0xB4: "\u0323",
}
TCVN3_TABLE: dict[str, str] = {chr(code): letter for code, letter in _TCVN3_LETTERS.items()}
# Substitutes that PDF producers put in the text layer for glyphs that look like symbols.
TCVN3_TABLE.update({"\u2212": "ư", "\u2013": "ư", "\u2219": "ã", "\u22c5": "ã"})
_TCVN3_TRANS = str.maketrans(TCVN3_TABLE)
# Code points that only TCVN3 text uses in such numbers (not ordinary accented Latin letters).
_TCVN3_SIGNS = frozenset("µ¶·¸¹»¼½¾©ª«¬®§¨\u2212\u2219")

# --- VNI (VNI-Windows): marks typed after the base letter ------------------------------------------
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MARKS = {
    "ù": _ACUTE,
    "ø": _GRAVE,
    "û": _HOOK,
    "õ": _TILDE,
    "ï": _DOT,
    "Ù": _ACUTE,
    "Ø": _GRAVE,
    "Û": _HOOK,
    "Õ": _TILDE,
    "Ï": _DOT,
    "â": _CIRC,
    "á": _CIRC + _ACUTE,
    "à": _CIRC + _GRAVE,
    "å": _CIRC + _HOOK,
    "ã": _CIRC + _TILDE,
    "ä": _CIRC + _DOT,
    "Â": _CIRC,
    "Á": _CIRC + _ACUTE,
    "À": _CIRC + _GRAVE,
    "Å": _CIRC + _HOOK,
    "Ã": _CIRC + _TILDE,
    "Ä": _CIRC + _DOT,
    "ê": _BREVE,
    "é": _BREVE + _ACUTE,
    "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
    "Ê": _BREVE,
    "É": _BREVE + _ACUTE,
    "È": _BREVE + _GRAVE,
    "Ú": _BREVE + _HOOK,
    "Ü": _BREVE + _TILDE,
    "Ë": _BREVE + _DOT,
}
_VNI_LETTERS = {
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "ñ": "đ",
    "Ñ": "Đ",
    "ì": "ì",
    "í": "í",
    "æ": "ỉ",
    "ó": "ĩ",
    "ò": "ị",
    "î": "ỵ",
    "Ì": "Ì",
    "Í": "Í",
    "Æ": "Ỉ",
    "Ó": "Ĩ",
    "Ò": "Ị",
    "Î": "Ỵ",
}
_VNI_TRANS = str.maketrans({**_VNI_MARKS, **_VNI_LETTERS})


def decode_tcvn3(text: str) -> str:
    """TCVN3 (ABC) text read as Latin-1 -> Unicode NFC."""
    return unicodedata.normalize("NFC", text.translate(_TCVN3_TRANS))


def decode_vni(text: str) -> str:
    """VNI text read as Latin-1 -> Unicode NFC."""
    return unicodedata.normalize("NFC", text.translate(_VNI_TRANS))


DECODERS = {"tcvn3": decode_tcvn3, "vni": decode_vni}
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'“”‘’()[]{},.;:!?…-–—/*"


def _words(text: str, limit: int) -> list[str]:
    words = []
    for match in _TOKEN.finditer(text):
        word = match.group(0).strip(_EDGE)
        if word and not word.isdigit():
            words.append(word)
            if len(words) >= limit:
                break
    return words


def syllable_share(text: str, limit: int = 4000) -> tuple[float, int]:
    """Share of the words carrying non-ASCII characters that are well-formed Vietnamese syllables, and their count."""
    marked = [w for w in _words(text, limit) if not w.isascii()]
    if not marked:
        return 1.0, 0
    return sum(1 for w in marked if is_syllable(w)) / len(marked), len(marked)


def looks_undecoded(text: str) -> bool:
    """Text where most words with non-ASCII characters are not Vietnamese syllables and show legacy signs."""
    share, count = syllable_share(text)
    signs = sum(1 for c in text[:20000] if c in _TCVN3_SIGNS)
    return count >= 20 and share < 0.6 and signs >= 10


@dataclass(frozen=True)
class Repair:
    """What :func:`repair` did: the text, the encoding it was converted from (None: left as is), and the evidence."""

    text: str
    encoding: str | None
    share_before: float
    share_after: float


def detect(text: str, min_words: int = 8) -> str | None:
    """The legacy encoding ``text`` is in, or None when it reads as Unicode Vietnamese (or is not Vietnamese)."""
    before, count = syllable_share(text)
    if count < min_words or before >= 0.9:
        return None
    best, best_share = None, before
    for name, decode in DECODERS.items():
        share, decoded_count = syllable_share(decode(text))
        if decoded_count >= min_words and share > best_share:
            best, best_share = name, share
    # Convert only when the decoded text is clearly Vietnamese and clearly better than before.
    return best if best is not None and best_share >= 0.8 and best_share - before >= 0.25 else None


def repair(text: str) -> Repair:
    """Detect a legacy encoding and convert ``text`` to Unicode NFC when one is found."""
    before, _ = syllable_share(text)
    encoding = detect(text)
    if encoding is None:
        return Repair(text, None, before, before)
    fixed = restore_capitals(DECODERS[encoding](text)) if encoding == "tcvn3" else DECODERS[encoding](text)
    return Repair(fixed, encoding, before, syllable_share(fixed)[0])


_WORD_CHARS = re.compile(r"\w+")


def restore_capitals(text: str) -> str:
    """TCVN3 capitals typed as ASCII capitals + lower-case Vietnamese letters (``NGHÞ §ÞNH`` -> ``NGHỊ ĐỊNH``).

    A word whose ASCII letters are all capitals (two or more) is upper-cased whole."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
        if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters) and has_vietnamese_letters(word):
            return word.upper()
        return word

    return _WORD_CHARS.sub(fix, text)


def is_legacy_font(font_name: str | None) -> str | None:
    """The encoding a font name implies: ``.VnTime``/``.VnArialH`` -> tcvn3, ``VNI-Times`` -> vni."""
    if not font_name:
        return None
    name = font_name.strip().lower()
    if name.startswith(".vn") or name.startswith("vn") and not name.startswith("vni"):
        return "tcvn3"
    if name.startswith("vni-") or name.startswith("vni "):
        return "vni"
    return None
