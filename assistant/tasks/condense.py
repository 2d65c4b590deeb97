"""Extractive condensation: keep the sentences that carry a text, word for word, in their order.

Used for the narrative parts of minutes (notes and opinions) where nothing may be invented. The same
engine as summaries (:mod:`selection`) scores each sentence: how central it is to the whole text, a
bonus for numbers, dates and deadlines (which minutes must keep), a little for the opening sentence,
and relevance to the agenda item's title when given. Near duplicates are dropped. The result is a list
of spans into the original text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.index.lexical import words
from assistant.tasks import selection
from assistant.tasks.selection import Weights, content_words
from assistant.text import sentence_spans

MIN_SENTENCE_WORDS = 3  # shorter fragments ("Đồng ý.", "Vâng.") are never chosen on their own
# Feature weights for meeting notes: facts (sums, counts, deadlines) must stay in minutes, so they count most;
# the first sentence a little (notes open with the gist).
NOTES = Weights(centrality=1.0, position=0.5, position_scale=1.0, key=2.0, relevance=1.0, same_segment=0.0)
_FACT = re.compile(r"\d|\b(?:hạn|trước ngày|deadline|by \d)", re.IGNORECASE)


@dataclass(frozen=True)
class CondenseOptions:
    max_sentences: int = 3
    ratio: float = 0.5  # keep at most this share of the sentences (at least one)
    keep_all_below: int = 2  # texts this short are kept whole


def condense_spans(text: str, options: CondenseOptions = CondenseOptions(), focus: str = "") -> list[tuple[int, int]]:
    """``(start, end)`` of the sentences of ``text`` worth keeping, in document order.

    ``focus`` (e.g. the agenda item's title) favours sentences about it.
    """
    spans = [(s, e) for s, e in sentence_spans(text) if text[s:e].strip()]
    if len(spans) <= options.keep_all_below:
        return spans
    sentences = [text[s:e] for s, e in spans]
    eligible = [i for i, s in enumerate(sentences) if len(words(s)) >= MIN_SENTENCE_WORDS and content_words(s)]
    if not eligible:  # only fragments: keep the longest one
        return [spans[max(range(len(spans)), key=lambda i: len(sentences[i]))]]
    texts = [sentences[i] for i in eligible]
    vectors = selection.tfidf_matrix(texts, [focus] if focus.strip() else [])
    count = len(texts)
    relevance = selection.zscore(vectors[:count] @ vectors[count]) if focus.strip() else None
    score = selection.scores(
        selection.centrality(vectors[:count]), NOTES, eligible, [bool(_FACT.search(t)) for t in texts], relevance
    )
    budget = max(1, min(options.max_sentences, math.ceil(len(spans) * options.ratio)))
    chosen = selection.select(score, vectors[:count], texts, [len(words(t)) for t in texts], None, budget)
    return [spans[eligible[i]] for i in chosen]


def condense(text: str, options: CondenseOptions = CondenseOptions(), focus: str = "") -> str:
    """The kept sentences of ``text`` joined by spaces, each ending with punctuation."""
    return " ".join(_as_sentence(text[s:e]) for s, e in condense_spans(text, options, focus))


def _as_sentence(text: str) -> str:
    text = " ".join(text.split()).lstrip("-–•* ")
    return text if text[-1:] in ".!?…;:" else text + "."
