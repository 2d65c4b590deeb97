"""Check what a language model claims against the passages it was given.

``locate_quote`` finds a quote in a passage (exact after normalising case, spaces and quote marks,
else a fuzzy span match, as Kotaemon does) and returns its offsets in the original text.
``unsupported_reason`` checks a sentence against the text it cites: every number in it must appear
there, and (same language) most of its content words too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

from assistant.index.lexical import words
from assistant.tasks.evidence import STOPWORDS
from assistant.text import fold_accents

MIN_QUOTE_CHARS = 8
QUOTE_MATCH_SCORE = 90.0  # rapidfuzz partial ratio needed to accept a quote that is not exact
CONTENT_WORD_SHARE = 0.5  # share of a sentence's content words that must occur in what it cites
_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
_EQUIVALENT = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‹": "<", "›": ">", "–": "-", "—": "-"})


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-cased text with runs of spaces collapsed, and the original offset of each kept character."""
    out: list[str] = []
    offsets: list[int] = []
    previous_space = True
    for i, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                out.append(" ")
                offsets.append(i)
            previous_space = True
            continue
        previous_space = False
        lowered = unicodedata.normalize("NFC", char).translate(_EQUIVALENT).lower()
        out.append(lowered if len(lowered) == 1 else char)
        offsets.append(i)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


@dataclass(frozen=True)
class QuoteMatch:
    start: int  # offsets in the passage
    end: int
    score: float  # 100 for an exact match


def locate_quote(quote: str, passage: str, min_score: float = QUOTE_MATCH_SCORE) -> QuoteMatch | None:
    """Where ``quote`` occurs in ``passage``, or ``None`` when it does not (closely enough)."""
    q, _ = _normalise(unicodedata.normalize("NFC", quote).strip(" \"'“”«»"))
    p, offsets = _normalise(passage)
    if len(q) < MIN_QUOTE_CHARS or not p or len(q) > len(p):
        return None
    at = p.find(q)
    if at >= 0:
        return QuoteMatch(offsets[at], offsets[at + len(q) - 1] + 1, 100.0)
    aligned = fuzz.partial_ratio_alignment(q, p, score_cutoff=min_score)
    if aligned is None or aligned.dest_end <= aligned.dest_start:
        return None
    return QuoteMatch(offsets[aligned.dest_start], offsets[aligned.dest_end - 1] + 1, aligned.score)


def numbers_in(text: str) -> set[str]:
    """Numbers as values: ``03`` and ``3`` are the same, ``91,5`` and ``91.5`` too."""
    out = set()
    for match in _NUMBER.findall(text):
        value = match.replace(",", ".")
        head, _, tail = value.partition(".")
        out.add((head.lstrip("0") or "0") + ("." + tail if tail else ""))
    return out


def unsupported_reason(sentence: str, evidence: str, same_language: bool = True) -> str | None:
    """Why ``sentence`` is not supported by ``evidence`` (the text it cites), or ``None`` when it is."""
    missing_numbers = numbers_in(sentence) - numbers_in(evidence)
    if missing_numbers:
        return f"number(s) {', '.join(sorted(missing_numbers))} not in the cited text"
    if not same_language:
        return None
    content = [w for w in words(sentence) if w not in STOPWORDS and not w.isdigit()]
    if not content:
        return None
    evidence_words = set(words(evidence))
    evidence_folded = {fold_accents(w) for w in evidence_words}
    found = sum(1 for w in content if w in evidence_words or fold_accents(w) in evidence_folded)
    if found / len(content) < CONTENT_WORD_SHARE:
        return f"only {found} of {len(content)} content words occur in the cited text"
    return None
