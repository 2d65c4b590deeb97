"""Choosing the sentences that carry a text: the one engine behind summaries and the minutes' narrative.

Each candidate sentence gets a score from features, weighted by what kind of text it is:

- **centrality**: how close the sentence is to the whole text (cosine to the centroid, z-scored), over
  TF-IDF vectors (cheap: any number of sentences) or over embeddings when they were computed;
- **position**: a prior for the first sentences (news and notes open with the gist), ``1 / (1 + i / scale)``;
- **key facts**: dates, deadlines, numbers and obligations (what a member must not miss in a directive);
- **relevance** to a question, for query-focused summaries.

Selection is greedy in score order within a word budget, skipping near-duplicates (vector cosine or word
overlap), and spreading over segments (a document's passages, a meeting's stretches of turns).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from assistant.index.lexical import words
from assistant.tasks.evidence import STOPWORDS

DUPLICATE_COSINE = 0.95  # e5 cosines crowd near 0.8-0.9: only near-copies are duplicates
DUPLICATE_WORDS = 80  # rapidfuzz token_set_ratio


@dataclass(frozen=True)
class Weights:
    """How much each feature counts (see the module docstring)."""

    centrality: float = 1.0  # over embeddings (meaning)
    lexical: float = 0.0  # over TF-IDF (the text's own words: topic keywords)
    position: float = 0.0
    position_scale: float = 3.0
    key: float = 0.0
    relevance: float = 0.0
    same_segment: float = 0.5  # subtracted per sentence already taken from the same segment


# Words of talk that say nothing about the topic (transcripts are full of them); with STOPWORDS they are not
# content words.
DISCOURSE = frozenset(
    """
yeah yes yep yup no nope okay ok oh ah uh um hmm mm so well just like think thought mean know knew really right
gonna wanna gotta kinda sorta kind sort thing things stuff actually basically maybe probably also then now get got
go going goes went say said says see saw guess anyway though lot lots bit little pretty quite sure mean means
something anything everything somebody anybody one ones way want wanted let us
s t re m ll ve d don didn doesn isn wasn aren weren won wouldn couldn shouldn haven hasn
vâng dạ ừ ờ ạ nhé nhỉ à ừm thôi
""".split()
)


def content_words(text: str) -> list[str]:
    """The words that carry a text's topic: no function words, talk fillers or bare numbers."""
    return [w for w in words(text) if w not in STOPWORDS and w not in DISCOURSE and not w.isdigit()]


def tfidf_matrix(texts: Sequence[str], extra: Sequence[str] = ()) -> np.ndarray:
    """L2-normalised TF-IDF rows for ``texts`` (then ``extra``, e.g. a question, with the same vocabulary)."""
    docs = [Counter(content_words(t)) for t in (*texts, *extra)]
    frequency = Counter(w for d in docs[: len(texts)] for w in d)
    vocabulary = {w: i for i, w in enumerate(frequency)}
    n = max(1, len(texts))
    matrix = np.zeros((len(docs), max(1, len(vocabulary))), dtype=np.float32)
    for row, counts in enumerate(docs):
        for word, count in counts.items():
            column = vocabulary.get(word)
            if column is not None:
                matrix[row, column] = (1 + math.log(count)) * math.log(1 + n / frequency[word])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-9)


def zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std()) or 1.0
    return (values - float(values.mean())) / spread


def centrality(vectors: np.ndarray) -> np.ndarray:
    """z-scored cosine of each (unit) row to the centroid of all rows."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    centre = vectors.mean(axis=0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-9)
    return zscore(vectors @ centre)


def position_prior(positions: Sequence[int], scale: float) -> np.ndarray:
    """``1 / (1 + i / scale)`` for each sentence's place ``i`` in the whole text."""
    return 1.0 / (1.0 + np.asarray(positions, dtype=np.float32) / scale)


def scores(
    centrality_z: np.ndarray,
    weights: Weights,
    positions: Sequence[int],
    key: Sequence[bool] | None = None,
    relevance_z: np.ndarray | None = None,
    lexical_z: np.ndarray | None = None,
) -> np.ndarray:
    """The weighted sum of the features; ``positions`` are the sentences' places in the whole text."""
    total = weights.centrality * centrality_z
    if weights.lexical and lexical_z is not None:
        total = total + weights.lexical * lexical_z
    if weights.position:
        total = total + weights.position * position_prior(positions, weights.position_scale)
    if weights.key and key is not None:
        total = total + weights.key * np.asarray(key, dtype=np.float32)
    if weights.relevance and relevance_z is not None:
        total = total + weights.relevance * relevance_z
    return total


def near_copy(vector_a: np.ndarray, vector_b: np.ndarray, text_a: str, text_b: str) -> bool:
    """Two sentences that say the same thing: (nearly) the same meaning, or the same words."""
    return float(vector_a @ vector_b) >= DUPLICATE_COSINE or fuzz.token_set_ratio(text_a, text_b) >= DUPLICATE_WORDS


def select(
    score: np.ndarray,
    vectors: np.ndarray,
    texts: Sequence[str],
    word_counts: Sequence[int],
    budget_words: int | None,
    max_points: int,
    segments: Sequence[int] | None = None,
    weights: Weights = Weights(),
) -> list[int]:
    """Indexes of the chosen sentences, in document order: best first within the budget, no near-duplicates,
    spread over segments; at least one sentence when there is any."""
    chosen: list[int] = []
    remaining = set(range(len(score)))
    total = 0
    while remaining and len(chosen) < max_points:

        def adjusted(i: int) -> float:
            taken_here = sum(1 for j in chosen if segments is not None and segments[j] == segments[i])
            return float(score[i]) - weights.same_segment * taken_here

        best = max(remaining, key=adjusted)
        remaining.discard(best)
        if any(near_copy(vectors[best], vectors[j], texts[best], texts[j]) for j in chosen):
            continue
        if budget_words is not None and chosen and total + word_counts[best] > budget_words * 1.15:
            continue
        chosen.append(best)
        total += word_counts[best]
        if budget_words is not None and total >= budget_words * 0.85:
            break
    return sorted(chosen)


def topic_segments(rows: np.ndarray, topics: int) -> list[int]:
    """A topic number for each sentence of a long text (a meeting) in order: the text is cut at the
    ``topics - 1`` places where the words before and after have least in common (TextTiling: TF-IDF of a
    window on each side, cut at the deepest valleys of their cosine, cuts at least a window apart)."""
    count = len(rows)
    if topics <= 1 or count < 4:
        return [0] * count
    window = max(2, min(20, count // (2 * topics)))
    similarity = np.ones(count, dtype=np.float32)  # similarity[g]: across the gap before sentence g
    for gap in range(1, count):
        before = rows[max(0, gap - window) : gap].sum(axis=0)
        after = rows[gap : gap + window].sum(axis=0)
        norm = float(np.linalg.norm(before) * np.linalg.norm(after))
        similarity[gap] = float(before @ after) / norm if norm else 0.0
    depth = np.zeros(count, dtype=np.float32)
    for gap in range(1, count):  # how far the similarity dips here below the peaks on either side
        left = similarity[max(1, gap - window) : gap + 1].max()
        right = similarity[gap : min(count, gap + window + 1)].max()
        depth[gap] = (left - similarity[gap]) + (right - similarity[gap])
    cuts: list[int] = []
    for gap in np.argsort(-depth):
        if len(cuts) == topics - 1 or depth[gap] <= 0:
            break
        if gap < window or gap > count - window or any(abs(int(gap) - c) < window for c in cuts):
            continue
        cuts.append(int(gap))
    cuts.sort()
    return [sum(1 for c in cuts if c <= i) for i in range(count)]


# Words that frame a question rather than say what it is about ("summarize the discussion about the budget").
QUESTION_FRAME = frozenset(
    """
summarize summarise summary summaries discuss discussed discussing discussion discussions talk talked talking
about what why how who whom which whose did does do think thought thinks opinion opinions view views say said
meeting meetings group team decide decided decision decisions happened happen regarding according
tóm tắt thảo luận bàn cuộc họp buổi hội nghị ý kiến nói gì nào thế ra sao quyết định đã về việc
""".split()
)


def focus_words(question: str) -> list[str]:
    """The words that say what a question is about (its frame left out; all its content words if that is all)."""
    content = content_words(question)
    return [w for w in content if w not in QUESTION_FRAME] or content


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Mean over ``window`` neighbours on each side (at most a quarter of the text's length: in a short text
    a wider window would blur everything into one): a discussion runs over consecutive sentences."""
    window = min(window, (len(values) - 1) // 4)
    if window <= 0 or len(values) == 0:
        return values
    kernel = np.ones(2 * window + 1, dtype=np.float32) / (2 * window + 1)
    return np.convolve(values, kernel, mode="full")[window : window + len(values)]  # "same" grows a short input


def peak_region(values: np.ndarray, share: float) -> tuple[int, int]:
    """``(first, last)`` of the run around the highest value where values stay at or above ``share`` of it."""
    if len(values) == 0:
        return 0, -1
    peak = int(np.argmax(values))
    floor = float(values[peak]) * share
    first, last = peak, peak
    while first > 0 and values[first - 1] >= floor:
        first -= 1
    while last < len(values) - 1 and values[last + 1] >= floor:
        last += 1
    return first, last


def bm25_scores(texts: Sequence[str], query: str) -> np.ndarray:
    """BM25 of each text for the query, over the texts themselves (the index's tokenizer: syllables, their
    pairs, accent-folded forms and document numbers)."""
    import bm25s

    from assistant.index.lexical import Tokenizer

    tokenizer = Tokenizer()
    index = bm25s.BM25(k1=1.2, b=0.75)
    index.index([tokenizer(t) or ["\u2400"] for t in texts], show_progress=False)
    vocab = index.vocab_dict
    tokens = [t for t in tokenizer(query) if t in vocab]
    if not tokens:
        return np.zeros(len(texts), dtype=np.float32)
    return np.asarray(index.get_scores(tokens), dtype=np.float32)
