"""Extractive condensation: keep the sentences that carry a text, word for word, in their order.

Used for the narrative parts of minutes (notes and opinions) where nothing may be invented: a
sentence scores by how central its words are to the whole text (words repeated across sentences
carry the topic), plus a bonus for numbers, dates and deadlines, which minutes must keep. Near
duplicates are dropped. The result is a list of spans into the original text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from assistant.index.lexical import words
from assistant.tasks.evidence import STOPWORDS
from assistant.text import sentence_spans

FACT_BONUS = 1.0         # a sentence with a number, date or deadline
LEAD_BONUS = 0.5         # the first sentence (notes and reports tend to open with the gist)
MIN_SENTENCE_WORDS = 3   # shorter fragments ("Đồng ý.", "Vâng.") are never chosen on their own
DUPLICATE_SIMILARITY = 80
_FACT = re.compile(r"\d|\b(?:hạn|trước ngày|deadline|by \d)", re.IGNORECASE)


@dataclass(frozen=True)
class CondenseOptions:
    max_sentences: int = 3
    ratio: float = 0.5          # keep at most this share of the sentences (at least one)
    keep_all_below: int = 2     # texts this short are kept whole


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


def _scores(sentences: list[str], focus: str = "") -> list[float]:
    frequency = Counter(w for s in sentences for w in set(content_words(s)))
    focus_words = set(content_words(focus))
    scores = []
    for position, sentence in enumerate(sentences):
        tokens = set(content_words(sentence))
        if len(words(sentence)) < MIN_SENTENCE_WORDS or not tokens:
            scores.append(-1.0)
            continue
        centrality = sum(frequency[w] - 1 for w in tokens) / math.sqrt(len(tokens))
        topical = len(tokens & focus_words) / (len(focus_words) or 1)
        scores.append(centrality + topical + (FACT_BONUS if _FACT.search(sentence) else 0.0)
                      + (LEAD_BONUS if position == 0 else 0.0))
    return scores


def condense_spans(text: str, options: CondenseOptions = CondenseOptions(), focus: str = "") -> list[tuple[int, int]]:
    """``(start, end)`` of the sentences of ``text`` worth keeping, in document order.

    ``focus`` (e.g. the agenda item's title) favours sentences about it.
    """
    spans = [(s, e) for s, e in sentence_spans(text) if text[s:e].strip()]
    if len(spans) <= options.keep_all_below:
        return spans
    sentences = [text[s:e] for s, e in spans]
    scores = _scores(sentences, focus)
    budget = max(1, min(options.max_sentences, math.ceil(len(spans) * options.ratio)))
    chosen: list[int] = []
    for i in sorted(range(len(spans)), key=lambda i: -scores[i]):
        if len(chosen) == budget or scores[i] < 0:
            break
        if any(fuzz.token_set_ratio(sentences[i], sentences[j]) >= DUPLICATE_SIMILARITY for j in chosen):
            continue
        chosen.append(i)
    if not chosen:  # only fragments: keep the longest one
        chosen = [max(range(len(spans)), key=lambda i: len(sentences[i]))]
    return [spans[i] for i in sorted(chosen)]


def condense(text: str, options: CondenseOptions = CondenseOptions(), focus: str = "") -> str:
    """The kept sentences of ``text`` joined by spaces, each ending with punctuation."""
    return " ".join(_as_sentence(text[s:e]) for s, e in condense_spans(text, options, focus))


def _as_sentence(text: str) -> str:
    text = " ".join(text.split()).lstrip("-–•* ")
    return text if text[-1:] in ".!?…;:" else text + "."
