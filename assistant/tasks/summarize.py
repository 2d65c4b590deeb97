"""Summaries anyone can check: points taken from the document (or rewritten by an LLM from its
passages), each citing its passage.

Extractive engine (no LLM): every sentence or list line becomes a candidate point (headings,
letterheads, signature blocks, "Căn cứ..." preambles, and in a meeting transcript backchannel and
procedural turns are not points). Candidates are scored by :mod:`selection` with weights for the kind of
text: news and other prose lean on the opening sentences, directives on the articles that carry duties,
deadlines and numbers, meetings on what is central to a stretch of turns, spread over the whole meeting; a
question (``query``) makes relevance to it count most. Centrality is computed over TF-IDF for every
candidate, then over embeddings for the best few (only what can be chosen is embedded, and sentence
embeddings are cached by text). The default length follows the document's size and density: about
1.5 × √(words) words for news, notes and meetings, 7 × √(words) for a document with articles or its own
number (a notice gets two or three points, a long resolution more; 40 to 300 words). Chosen points keep document order;
``plain`` style splits them at semicolons into short sentences and puts first what the document is (its opening
sentence, when chosen), then dates, deadlines and obligations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
from rapidfuzz import fuzz

from assistant.domain import Citation, Summary, SummaryPoint
from assistant.errors import BackendUnavailable, InvalidInput
from assistant.index.embeddings import Embedder
from assistant.index.lexical import words
from assistant.ingest.structure import LEVEL_ARTICLE, line_heading
from assistant.llm import EngineChoice, require_llm
from assistant.progress import Progress
from assistant.prompts import PromptLibrary
from assistant.tasks import selection
from assistant.tasks.selection import Weights, content_words
from assistant.tasks.summary_source import SummarySource
from assistant.tasks.transcript import clean_speech, is_filler_turn, is_transcript, speaker_at, speakers_named
from assistant.text import sentence_spans

Style = Literal["plain", "formal"]
EXTRACTIVE = "extractive"

SHORT_POINTS = 5
SHORT_MAX_SHARE = 0.2  # ...and "short" stays under this share of the source's words
STANDARD_SHARE, STANDARD_MIN, STANDARD_MAX = 0.25, 6, 12
AUTO_MIN_WORDS, AUTO_MAX_WORDS = 40, 300  # a short notice still gets two points
QUERY_MIN_WORDS = 15  # ...but the answer to one question may be one point
QUERY_MAX_WORDS = 120  # ...and at most about one article's worth (ALQAC's laws: 280 words spread over 6 articles)
MIN_POINT_WORDS = 4
LEAD_POSITIONS = 2  # a point from the first sentences (after the title) says what the document is about
MIN_TURN_CONTENT = 4  # in a meeting, a point says something: at least 4 words that are not function words
EMBED_BATCH = 64
EMBED_LIMIT = 60  # candidates embedded (the best by TF-IDF features); the rest cannot be chosen

Kind = Literal["prose", "structured", "transcript"]
# Feature weights per kind of text (tuned on vietnews-dev, qmsum-dev and evals/datasets/summaries together).
WEIGHTS: dict[Kind, Weights] = {
    "prose": Weights(centrality=1.0, lexical=0.5, position=3.0, position_scale=1.0, key=0.3),
    "structured": Weights(centrality=1.0, position=0.3, position_scale=10.0, key=2.5),
    "transcript": Weights(centrality=0.0, lexical=1.0, key=0.3, same_segment=1.0),
}
# Auto length: factor x sqrt(source words). News and meetings: their references run 1.2-1.6 x sqrt(words) (vietnews-dev,
# qmsum-dev); a directive is dense, every article a duty or a deadline: its references run ~7 x sqrt(words) (our set).
AUTO_FACTOR: dict[Kind, float] = {"prose": 1.5, "structured": 7.0, "transcript": 1.5}
KIND_NAMES = {"prose": "text", "structured": "document with articles", "transcript": "meeting transcript"}
QUERY_RELEVANCE = 2.0  # the weight of relevance to the question in a query-focused summary
QUERY_SHARE = 0.4  # a summary of one question: 0.4 x the whole-text length (QMSum answers: ~67 words)
QUERY_WINDOW, QUERY_NEAR = 5, 2.0  # relevance of the sentences around (5 each side), and its weight
REGION_WINDOW, REGION_SHARE = 8, 0.5  # in a meeting, points come from the stretch the question is most about
QUERY_ARTICLES = 2  # ...in a document with articles, from the articles it is most about
TOPIC_POINTS = 2  # a meeting's topics: about one per this many points

_KEY = re.compile(
    r"\d|\b(?:phải|không được|nghiêm cấm|cấm|có trách nhiệm|chậm nhất|trước ngày|thời hạn|hạn chót|bắt buộc"
    r"|must|shall|required|no later than|deadline|within|prohibited|may not)\b|অবশ্যই|মধ্যে",
    re.IGNORECASE,
)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zđ][)]|[-–•*+])\s+", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(?:căn cứ|xét đề nghị|nơi nhận|t/m|k/t|số\s*\d|pursuant to|recipients)\b|, ngày \d{1,2} tháng \d{1,2} năm \d{4}",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[*_`#>]+")


def is_key(text: str) -> bool:
    """A date, deadline, number or obligation: what a member must not miss."""
    return bool(_KEY.search(text))


Length = Literal["auto", "short", "standard"] | int


@dataclass(frozen=True)
class SummaryOptions:
    length: Length = "auto"  # int: a target number of words
    style: Style = "plain"
    language: str | None = None  # output language (LLM engine only)
    engine: EngineChoice = "auto"
    query: str | None = None  # summarize only what answers this question


@dataclass
class Candidate:
    """A sentence or list line of the source that could become a point."""

    chunk_index: int
    start: int
    end: int
    text: str  # cleaned for reading: no list marker or markup, context prefixed
    key: bool
    words: int
    score: float = 0.0
    vector: np.ndarray | None = field(default=None, repr=False)
    position: int = 0  # order among the candidates
    segment: int = 0  # the passage (or stretch of a meeting) it belongs to
    speaker: str = ""  # in a meeting: who said it


def _heading_title(heading: str) -> str:
    """``Chương I > Điều 2. Đối tượng áp dụng`` -> ``Đối tượng áp dụng``."""
    last = heading.rsplit(" > ", 1)[-1]
    title = last.split(". ", 1)[1] if ". " in last else ""
    return title.capitalize() if title.isupper() else title


def _section_heading(line: str, language: str) -> bool:
    """A chapter, part, section or article heading (not a numbered clause or point)."""
    heading = line_heading(line, language)
    return heading is not None and heading.level <= LEVEL_ARTICLE


def _is_title(text: str, title: str) -> bool:
    """The document's title line (not a first sentence that only stood in for a missing title)."""
    if not title or title.rstrip()[-1:] in ".!?…;।":
        return False
    return fuzz.partial_ratio(title.lower(), text.lower()) >= 95 and len(text) < len(title) * 1.3


def _is_point(raw: str, language: str) -> bool:
    text = raw.strip()
    letters = [c for c in text if c.isalpha()]
    if len(words(text)) < MIN_POINT_WORDS or not letters:
        return False
    if sum(c.isupper() for c in letters) / len(letters) > 0.6:  # letterheads, titles in capitals
        return False
    if _BOILERPLATE.search(text):
        return False
    return not (_section_heading(text, language) and "\n" not in text and len(words(text)) <= 12)


def source_kind(source: SummarySource) -> Kind:
    """A meeting transcript, a structured document (articles, clauses, or an official document with its own
    number such as ``03-TB/CB``: every line of it is a fact or a duty), or prose (news, notes, letters)."""
    if source.text and is_transcript(source.text[:20000]):
        return "transcript"
    if source.meta.doc_number:
        return "structured"
    structured = sum(1 for c in source.chunks if c.structure_path and not c.structure_path[:1].isdigit())  # not a time
    return "structured" if structured >= max(1, len(source.chunks) // 2) else "prose"


def _line_sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences that never run over a line break (in a transcript, every line is a turn)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend((offset + s, offset + e) for s, e in sentence_spans(line))
        offset += len(line) + 1
    return spans


def candidates(source: SummarySource) -> list[Candidate]:
    """Every sentence or list line of the source that can stand as a point, in document order.

    In a transcript, a point is a sentence of a turn that says something (not backchannel or procedure),
    read with its speaker's name; its segment is the stretch of the meeting it falls in."""
    transcript = source_kind(source) == "transcript"
    out: list[Candidate] = []
    for index, chunk in enumerate(source.chunks):
        title = _heading_title(chunk.heading)
        for start, end in _line_sentence_spans(chunk.text) if transcript else sentence_spans(chunk.text):
            raw = chunk.text[start:end]
            # a heading line glued to the sentence after it is not part of the point
            first, _, rest = raw.partition("\n")
            if rest and _section_heading(first, source.meta.language):
                start += len(first) + 1
                while start < end and chunk.text[start].isspace():
                    start += 1
                raw = chunk.text[start:end]
            speaker = ""
            if transcript:
                turn = speaker_at(source.text, chunk.char_start + start)
                if turn is not None:
                    speaker, _, words_start = turn
                    if words_start > chunk.char_start + start:  # the sentence starts with the speaker's label
                        start = words_start - chunk.char_start
                        raw = chunk.text[start:end]
                if (
                    is_filler_turn(raw)
                    or len(content_words(clean_speech(raw, source.meta.language))) < MIN_TURN_CONTENT
                ):
                    continue
            if not _is_point(raw, source.meta.language):
                continue
            listed = bool(_ENUMERATOR.match(raw))
            bare = " ".join(_MARKUP.sub("", _ENUMERATOR.sub("", raw)).split())
            if transcript:
                bare = clean_speech(bare, source.meta.language)
            text = bare
            if listed and title and not text.lower().startswith(title.lower()):
                text = (
                    f"{title}: {text[0].lower() + text[1:] if text[:2].istitle() and not text[:2].isupper() else text}"
                )
            if speaker:
                text = f"{speaker}: {text}"
            out.append(
                Candidate(
                    index,
                    start,
                    end,
                    text,
                    is_key(bare),
                    len(words(text)),
                    position=len(out),
                    segment=index,
                    speaker=speaker,
                )
            )
    without_title = [c for c in out if not _is_title(c.text, source.meta.title)]
    out = without_title or out  # a one-sentence text is its own title
    for position, candidate in enumerate(out):
        candidate.position = position
    return out


def require_candidates(source: SummarySource) -> list[Candidate]:
    """The candidate points; ``InvalidInput`` when the source has none (checked before a job is queued)."""
    items = candidates(source)
    if not items:
        raise InvalidInput("the text has no sentences to summarize (at least one sentence of 4 words or more)")
    return items


def parse_length(text: str) -> str | int:
    """``auto``, ``short``, ``standard`` or a number of words, as typed in a form or on the command line."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in ("auto", "short", "standard"):
        return text
    raise InvalidInput(f"unknown length '{text}'; use auto, short, standard or a number of words")


def point_budget(
    length: Length, available: int, source_words: int = 0, kind: Kind = "prose", query: bool = False
) -> tuple[int, int | None, str]:
    """How many points (and how many words) a summary may have, and the rule, in words, that set them."""
    if isinstance(length, int):
        if length < 10:
            raise InvalidInput("a target length must be at least 10 words")
        return available, length, f"{length} words, as asked"
    if length == "auto":
        factor = AUTO_FACTOR[kind] * (QUERY_SHARE if query else 1.0)
        minimum, maximum = (QUERY_MIN_WORDS, QUERY_MAX_WORDS) if query else (AUTO_MIN_WORDS, AUTO_MAX_WORDS)
        target = int(min(maximum, max(minimum, round(factor * math.sqrt(max(1, source_words))))))
        return (
            available,
            target,
            (
                f"about {target} words for a {source_words}-word {KIND_NAMES[kind]} "
                f"({factor:.2g} × √words{', one question' if query else ''}, at most {maximum})"
            ),
        )
    if length == "short":
        cap = max(40, round(SHORT_MAX_SHARE * source_words))
        return SHORT_POINTS, cap, f"short: {SHORT_POINTS} points, at most {cap} words"
    if length == "standard":
        points = max(STANDARD_MIN, min(STANDARD_MAX, math.ceil(available * STANDARD_SHARE)))
        return points, None, f"standard: {points} points"
    raise InvalidInput(f"unknown length '{length}'; use auto, short, standard or a number of words")


def embed_candidates(items: list[Candidate], embedder: Embedder, progress: Progress | None = None) -> None:
    """Unit vectors for every candidate, in batches (reporting progress)."""
    for first in range(0, len(items), EMBED_BATCH):
        batch = items[first : first + EMBED_BATCH]
        vectors = np.asarray(embedder.embed_documents([c.text for c in batch]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        for candidate, vector in zip(batch, vectors):
            candidate.vector = vector
        if progress:
            progress(min(1.0, (first + len(batch)) / len(items)), "reading the document")


def _segments(items: list[Candidate], kind: Kind, points: int, tfidf: np.ndarray) -> list[int]:
    """A document's passages; a meeting cut into topics where its words change (about one topic per 2 points)."""
    if kind != "transcript":
        return [c.segment for c in items]
    return selection.topic_segments(tfidf[: len(items)], max(2, points // TOPIC_POINTS))


def topic_labels(source: SummarySource, chosen: list[Candidate], items: list[Candidate]) -> dict[int, str]:
    """``Part 2 (turns 120-245)`` for each topic of a meeting that has a chosen point, numbered in order."""
    vietnamese = source.meta.language == "vi"
    labels = {}
    for number, topic in enumerate(sorted({c.segment for c in chosen}), start=1):
        members = [c for c in items if c.segment == topic]
        first, last = (
            source.text.count("\n", 0, source.chunks[c.chunk_index].char_start + c.start) + 1
            for c in (members[0], members[-1])
        )
        labels[topic] = (
            f"Phần {number} (lượt {first}–{last})" if vietnamese else f"Part {number} (turns {first}–{last})"
        )
    return labels


def _weights(kind: Kind, query: str | None) -> Weights:
    """The kind's weights; for a question, relevance to it counts most and points need not spread."""
    weights = WEIGHTS[kind]
    if not query:
        return weights
    return replace(
        weights,
        centrality=weights.centrality / 2,
        lexical=weights.lexical / 2,
        key=weights.key / 4,  # a deadline elsewhere does not answer the question
        position=0.0,
        relevance=QUERY_RELEVANCE,
        same_segment=0.0,
    )


def _question_fit(
    tfidf: np.ndarray, count: int, texts: list[str], query: str, kind: Kind
) -> tuple[np.ndarray, np.ndarray]:
    """How much each sentence holds the question's words, and the sentences around it (a discussion runs over
    several turns, an article over several clauses): raw overlap, and the combined z-score. A document with
    articles is matched by BM25 over syllables and their pairs (Vietnamese words are mostly two syllables:
    ALQAC's laws, in-gold 0.48 vs 0.42 with TF-IDF); a meeting by TF-IDF of content words (the last TF-IDF
    row: QMSum, in-gold 0.52 vs 0.42 with BM25)."""
    overlap = selection.bm25_scores(texts, query) if kind == "structured" else tfidf[:count] @ tfidf[-1]
    near = selection.smooth(overlap, QUERY_WINDOW)
    combined = selection.zscore(overlap) + QUERY_NEAR * selection.zscore(near)
    return np.maximum(overlap, near), combined


def _shortlist(
    items: list[Candidate],
    kind: Kind,
    weights: Weights,
    lexical_z: np.ndarray,
    fit: tuple[np.ndarray, np.ndarray] | None,
    speakers: set[str] | frozenset[str] = frozenset(),
) -> list[int]:
    """Indexes (in order) of the best candidates by the cheap features: the only ones embedded and chosen from.
    With a question: only sentences that hold or neighbour its words, in a document with articles only the
    passages (articles) it is most about, in a meeting only the stretch it is most about, and of the
    ``speakers`` it names (when they spoke there)."""
    first_pass = selection.scores(
        lexical_z,
        replace(weights, centrality=weights.centrality + weights.lexical, lexical=0),
        range(len(items)),
        [c.key for c in items],
        fit[1] if fit else None,
    )
    order = sorted(range(len(items)), key=lambda i: -first_pass[i])
    if fit is not None:
        overlap, combined = fit
        order = [i for i in order if overlap[i] > 0] or order
        if kind == "structured":
            best: dict[int, float] = {}
            for i, c in enumerate(items):
                best[c.segment] = max(best.get(c.segment, -np.inf), float(combined[i]))
            top = set(sorted(best, key=lambda seg: -best[seg])[:QUERY_ARTICLES])
            order = [i for i in order if items[i].segment in top] or order
        if kind == "transcript":
            density = selection.smooth(combined, REGION_WINDOW)
            first, last = selection.peak_region(np.maximum(0.0, density - float(np.median(density))), REGION_SHARE)
            order = [i for i in order if first <= i <= last] or order
        order = [i for i in order if items[i].speaker in speakers] or order
    return sorted(order[:EMBED_LIMIT])


def choose(
    items: list[Candidate],
    embedder: Embedder,
    kind: Kind,
    max_points: int,
    max_words: int | None,
    query: str | None = None,
    progress: Progress | None = None,
) -> list[Candidate]:
    """The points: TF-IDF features for every candidate, embeddings for the shortlist (only when the weights or
    a question need them), then the selection."""
    weights = _weights(kind, query)
    count = len(items)
    speakers = speakers_named(query, {c.speaker for c in items if c.speaker}) if query else set()
    tfidf = selection.tfidf_matrix([c.text for c in items], [" ".join(selection.focus_words(query))] if query else [])
    lexical_z = selection.centrality(tfidf[:count])
    fit = _question_fit(tfidf, count, [c.text for c in items], query, kind) if query else None
    kept = _shortlist(items, kind, weights, lexical_z, fit, speakers)
    pool = [items[i] for i in kept]
    relevance, centrality = None, np.zeros(len(pool), dtype=np.float32)
    if weights.centrality or query:
        embed_candidates(pool, embedder, progress)
        vectors = np.stack([c.vector for c in pool if c.vector is not None])
        centrality = selection.centrality(vectors)
        if fit is not None and query:  # a question
            question = np.asarray(embedder.embed_query(query), dtype=np.float32)
            question /= max(float(np.linalg.norm(question)), 1e-9)
            relevance = selection.zscore(vectors @ question) + fit[1][kept]
    else:  # the text's own words decide (meetings): no model needed
        vectors = tfidf[kept]
    score = selection.scores(
        centrality, weights, kept, [c.key for c in pool], relevance, selection.zscore(lexical_z[kept])
    )
    for candidate, value in zip(pool, score):
        candidate.score = float(value)
    segments = _segments(items, kind, max_points if max_words is None else max(2, max_words // 25), tfidf)
    if kind == "transcript":
        for candidate, topic in zip(items, segments):
            candidate.segment = topic
    chosen = selection.select(
        score,
        vectors,
        [c.text for c in pool],
        [c.words for c in pool],
        max_words,
        max_points,
        [segments[i] for i in kept],
        weights,
    )
    points = [pool[i] for i in chosen]
    return _with_opening(items, points, max_words) if kind == "structured" and not query else points


def _is_opening(candidate: Candidate) -> bool:
    """One of the text's first sentences (after its title) that is not itself a date or duty: what it is."""
    return candidate.position < LEAD_POSITIONS and not candidate.key


def _with_opening(items: list[Candidate], chosen: list[Candidate], max_words: int | None) -> list[Candidate]:
    """A document with articles is summarised from what it is: its opening sentence (scope, purpose) comes
    first, in place of the weakest other points when the length is spent, if it leaves room for one (every
    reference of our set opens so; R-L 0.517 -> 0.525)."""
    if not chosen or any(c.position < LEAD_POSITIONS for c in chosen):
        return chosen
    opening = next((c for c in items if _is_opening(c)), None)
    if opening is None:
        return chosen
    rest = sorted(chosen, key=lambda c: -c.score)
    total = opening.words + sum(c.words for c in rest)
    while max_words is not None and len(rest) > 1 and total > max_words * 1.15:
        total -= rest.pop().words
    if max_words is not None and total > max_words * 1.15:
        return chosen
    return sorted([opening, *rest], key=lambda c: c.position)


_SENTENCE_END = ".!?…:।॥"


def plain_sentences(text: str) -> str:
    """Long sentences cut at semicolons into short ones, each starting with a capital and ending the way the
    text's script ends a sentence (``।`` in Bengali, not a Latin full stop)."""
    stop = "।" if any("\u0980" <= c <= "\u09ff" for c in text) else "."
    parts = [p.strip(" ;,") for p in text.split(";")]
    parts = [p[0].upper() + p[1:] for p in parts if p]
    return " ".join(p if p[-1] in _SENTENCE_END else p + stop for p in parts)


class PointWriter(Protocol):
    """Writes the points from chosen passages (the LLM engine)."""

    name: str
    prompt_version: str

    def write(
        self, source: SummarySource, pool: list[Candidate], options: SummaryOptions, max_points: int, language: str
    ) -> tuple[list[SummaryPoint], list[Citation], list[str]]: ...


class Summarizer:
    """Summaries of a source at a chosen length and style, extractive or written by an LLM."""

    def __init__(
        self,
        embedder: Embedder,
        prompts: PromptLibrary,
        writer: PointWriter | None = None,
        fallback_to_extractive: bool = True,
    ) -> None:
        self.embedder = embedder
        self.prompts = prompts
        self.writer = writer
        self.fallback_to_extractive = fallback_to_extractive

    def summarize(
        self, source: SummarySource, options: SummaryOptions = SummaryOptions(), progress: Progress | None = None
    ) -> Summary:
        require_llm(options.engine, self.writer is not None)
        items = require_candidates(source)
        kind = source_kind(source)
        max_points, max_words, rule = point_budget(
            options.length, len(items), source.word_count, kind, bool(options.query)
        )
        source_language = source.meta.language if source.meta.language != "und" else "vi"
        language = options.language or source_language
        warnings: list[str] = []
        if self.writer is not None and options.engine in ("auto", "llm"):
            pool = choose(
                items,
                self.embedder,
                kind,
                min(len(items), max_points * 3),
                None if max_words is None else max_words * 3,
                options.query,
                progress,
            )
            try:
                points, citations, notes = self.writer.write(source, pool, options, max_points, language)
                return self._finish(
                    source,
                    options,
                    points,
                    citations,
                    language,
                    self.writer.name,
                    self.writer.prompt_version,
                    None,
                    notes,
                    rule,
                )
            except (BackendUnavailable, ValueError) as exc:
                if options.engine == "llm" or not self.fallback_to_extractive:
                    raise BackendUnavailable(str(exc)) from exc
                fallback = f"the language model failed ({exc}); the points are the document's own sentences"
                warnings.append(f"summarized without the language model: {exc}")
        else:
            fallback = None
        if language != source_language:
            warnings.append(
                f"the summary is in the document's language ({source_language}): "
                f"writing it in '{language}' needs the language model"
            )
        chosen = choose(items, self.embedder, kind, max_points, max_words, options.query, progress)
        points, citations = self.extractive_points(source, chosen, options.style)
        if kind == "transcript" and not options.query:
            labels = topic_labels(source, chosen, items)
            for point, candidate in zip(points, chosen):
                point.topic = labels[candidate.segment]
        return self._finish(
            source, options, points, citations, source_language, EXTRACTIVE, None, fallback, warnings, rule
        )

    @staticmethod
    def extractive_points(
        source: SummarySource, chosen: list[Candidate], style: Style
    ) -> tuple[list[SummaryPoint], list[Citation]]:
        points, citations = [], []
        for number, candidate in enumerate(chosen):
            citations.append(source.citation(candidate.chunk_index, candidate.start, candidate.end))
            text = plain_sentences(candidate.text) if style == "plain" else candidate.text
            lead = number == 0 and _is_opening(candidate)
            points.append(SummaryPoint(text=text, citations=[len(citations)], key=candidate.key, lead=lead))
        return points, citations

    def _finish(
        self,
        source: SummarySource,
        options: SummaryOptions,
        points: list[SummaryPoint],
        citations: list[Citation],
        language: str,
        engine: str,
        prompt_version: str | None,
        fallback: str | None,
        warnings: list[str],
        length_rule: str = "",
    ) -> Summary:
        if options.style == "plain" and not any(p.topic for p in points):  # what it is, then dates and duties
            points = (
                [p for p in points if p.lead]
                + [p for p in points if p.key and not p.lead]
                + [p for p in points if not p.key and not p.lead]
            )
        summary_words = sum(len(words(p.text)) for p in points)
        source_words = max(1, source.word_count)
        title = source.meta.title or source.meta.doc_number or source.meta.doc_id
        template = "summary_vi.md.j2" if language == "vi" else "summary_en.md.j2"
        markdown = self.prompts.render(
            template,
            title=title,
            doc_number=source.meta.doc_number,
            points=points,
            citations=citations,
            style=options.style,
            engine=engine,
            query=options.query,
            paged=len(source.page_starts) > 1,
        )
        return Summary(
            title=title,
            doc_id=source.meta.doc_id if source.indexed else None,
            doc_number=source.meta.doc_number,
            language=language,
            style=options.style,
            points=points,
            citations=citations,
            markdown=markdown,
            engine=engine,
            prompt_version=prompt_version,
            fallback=fallback,
            source_words=source_words,
            summary_words=summary_words,
            length=length_rule,
            query=options.query,
            compression=round(summary_words / source_words, 4),
            warnings=warnings,
        )
