"""Is a token a well-formed Vietnamese syllable? Onset + rhyme + one tone, by the language's spelling rules.

Used to recognise text that is not really Vietnamese (mojibake from legacy encodings), to repair
syllables that PDF text extraction split (``ng ười`` -> ``người``) and to measure how often that happens.
The check is orthographic, not a dictionary: ``ật`` is well-formed though rare; ``ười`` and ``ng`` are not.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Tone marks (combining, after NFD): acute, grave, hook above, tilde, dot below.
TONE_MARKS = {"\u0301": "sắc", "\u0300": "huyền", "\u0309": "hỏi", "\u0303": "ngã", "\u0323": "nặng"}

ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)

# Rhymes without tone, grouped by nucleus; final consonants p/t/c/ch only take the sắc or nặng tone.
_RHYMES = """
a ai ao au ay am an ang anh ap at ac ach
ă ăm ăn ăng ăp ăt ăc
â âu ây âm ân âng âp ât âc
e eo em en eng ep et ec
ê êu êm ên ênh êp êt êch
i ia iu im in inh ip it ich iêu iêm iên iêng iêp iêt iêc
o oa oai oao oay oam oan oang oanh oap oat oac oach oă oăm oăn oăng oăp oăt oăc
oe oeo oem oen oeng oet oec oi om on ong op ot oc oong ooc
ô ôi ôm ôn ông ôp ôt ôc
ơ ơi ơm ơn ơp ơt
u ua uân uâng uât uây uâc uê uênh uêch uy uya uyên uyêt uyu uynh uych uyt uyn uyp ui um un ung up ut uc
uơ uôi uôm uôn uông uôt uôc uâu uêu uơi uơn uơt uơng uôp
ư ưa ưi ưu ươ ươi ươu ươm ươn ương ươp ươt ươc ưng ưc ưn ưt ưm
y yêu yêm yên yêng yêt
""".split()
RHYMES = frozenset(_RHYMES)
_STOP_FINALS = ("p", "t", "c", "ch")


def _strip_tone(syllable: str) -> tuple[str, list[str]]:
    """The syllable without its tone marks (NFC) and the tone marks found."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = [c for c in decomposed if c in TONE_MARKS]
    base = "".join(c for c in decomposed if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", base), tones


@lru_cache(maxsize=65536)
def is_syllable(token: str) -> bool:
    """True when ``token`` (any case) is a well-formed Vietnamese syllable."""
    word = token.lower()
    if not word or not word.isalpha():
        return False
    base, tones = _strip_tone(word)
    if len(tones) > 1:
        return False
    for onset in ONSETS:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if onset == "gi" and (rhyme == "" or rhyme[0] not in "aăâeêioôơuưy"):
            rhyme = "i" + rhyme  # "gì", "gìn": the i belongs to the rhyme
        elif onset == "qu" and rhyme == "":
            continue
        if rhyme in RHYMES and _tone_allowed(rhyme, tones):
            return True
    return False


def _tone_allowed(rhyme: str, tones: list[str]) -> bool:
    if rhyme.endswith(_STOP_FINALS):
        return bool(tones) and TONE_MARKS[tones[0]] in ("sắc", "nặng")
    return True


def has_vietnamese_letters(token: str) -> bool:
    """True when ``token`` carries a Vietnamese diacritic or đ (so it is not plain ASCII)."""
    return any(not c.isascii() for c in token) and any(c.isalpha() for c in token)
