"""Summaries anyone can check: points taken from the document (or rewritten by an LLM from its
passages), each citing its passage.

Extractive engine (no LLM): every sentence or list line becomes a candidate point (headings,
letterheads, signature blocks and "Căn cứ..." preambles are not points). A candidate scores by how
close its embedding is to the centre of the whole text (z-scored, since e5 similarities sit in a
narrow band), plus bonuses for dates, numbers and obligations, minus a penalty for each point
already taken from the same passage (so points spread over the articles). Near-duplicates are
skipped (embedding cosine or word overlap). Chosen points keep document order; ``plain`` style
splits them at semicolons into short sentences and lists dates, deadlines and obligations first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
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
from assistant.tasks.summary_source import SummarySource
from assistant.text import sentence_spans

Style = Literal["plain", "formal"]
EXTRACTIVE = "extractive"

SHORT_POINTS = 5
STANDARD_SHARE, STANDARD_MIN, STANDARD_MAX = 0.25, 6, 12
KEY_BONUS = 2.5           # a date, deadline, number or obligation (z-score units; tuned on evals/datasets/summaries)
SAME_PASSAGE_PENALTY = 0.5
DUPLICATE_COSINE = 0.95
DUPLICATE_WORDS = 80      # rapidfuzz token_set_ratio
MIN_POINT_WORDS = 4
EMBED_BATCH = 64

_KEY = re.compile(
    r"\d|\b(?:phải|không được|nghiêm cấm|cấm|có trách nhiệm|chậm nhất|trước ngày|thời hạn|hạn chót|bắt buộc"
    r"|must|shall|required|no later than|deadline|within|prohibited|may not)\b|অবশ্যই|মধ্যে",
    re.IGNORECASE)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zđ][)]|[-–•*+])\s+", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(?:căn cứ|xét đề nghị|nơi nhận|t/m|k/t|số\s*\d|pursuant to|recipients)\b|, ngày \d{1,2} tháng \d{1,2} năm \d{4}",
    re.IGNORECASE)
_MARKUP = re.compile(r"[*_`#>]+")


def is_key(text: str) -> bool:
    """A date, deadline, number or obligation: what a member must not miss."""
    return bool(_KEY.search(text))


@dataclass(frozen=True)
class SummaryOptions:
    length: Literal["short", "standard"] | int = "short"   # int: a target number of words
    style: Style = "plain"
    language: str | None = None                             # output language (LLM engine only)
    engine: EngineChoice = "auto"


@dataclass
class Candidate:
    """A sentence or list line of the source that could become a point."""

    chunk_index: int
    start: int
    end: int
    text: str                 # cleaned for reading: no list marker or markup, context prefixed
    key: bool
    words: int
    score: float = 0.0
    vector: np.ndarray | None = field(default=None, repr=False)


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
    return bool(title) and fuzz.partial_ratio(title.lower(), text.lower()) >= 95 and len(text) < len(title) * 1.3


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


def candidates(source: SummarySource) -> list[Candidate]:
    """Every sentence or list line of the source that can stand as a point, in document order."""
    out = []
    for index, chunk in enumerate(source.chunks):
        title = _heading_title(chunk.heading)
        for start, end in sentence_spans(chunk.text):
            raw = chunk.text[start:end]
            # a heading line glued to the sentence after it is not part of the point
            first, _, rest = raw.partition("\n")
            if rest and _section_heading(first, source.meta.language):
                start += len(first) + 1
                while start < end and chunk.text[start].isspace():
                    start += 1
                raw = chunk.text[start:end]
            if not _is_point(raw, source.meta.language):
                continue
            listed = bool(_ENUMERATOR.match(raw))
            bare = " ".join(_MARKUP.sub("", _ENUMERATOR.sub("", raw)).split())
            text = bare
            if listed and title and not text.lower().startswith(title.lower()):
                text = f"{title}: {text[0].lower() + text[1:] if text[:2].istitle() and not text[:2].isupper() else text}"
            out.append(Candidate(index, start, end, text, is_key(bare), len(words(text))))
    without_title = [c for c in out if not _is_title(c.text, source.meta.title)]
    return without_title or out  # a one-sentence text is its own title


def require_candidates(source: SummarySource) -> list[Candidate]:
    """The candidate points; ``InvalidInput`` when the source has none (checked before a job is queued)."""
    items = candidates(source)
    if not items:
        raise InvalidInput("the text has no sentences to summarize (at least one sentence of 4 words or more)")
    return items


def parse_length(text: str) -> str | int:
    """``short``, ``standard`` or a number of words, as typed in a form or on the command line."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in ("short", "standard"):
        return text
    raise InvalidInput(f"unknown length '{text}'; use short, standard or a number of words")


def point_budget(length: str | int, available: int) -> tuple[int, int | None]:
    """How many points (and, for a word target, how many words) a summary may have."""
    if isinstance(length, int):
        if length < 10:
            raise InvalidInput("a target length must be at least 10 words")
        return available, length
    if length == "short":
        return SHORT_POINTS, None
    if length == "standard":
        return max(STANDARD_MIN, min(STANDARD_MAX, math.ceil(available * STANDARD_SHARE))), None
    raise InvalidInput(f"unknown length '{length}'; use short, standard or a number of words")


def embed_candidates(items: list[Candidate], embedder: Embedder, progress: Progress | None = None) -> None:
    """Unit vectors for every candidate, in batches (reporting progress)."""
    for first in range(0, len(items), EMBED_BATCH):
        batch = items[first:first + EMBED_BATCH]
        vectors = np.asarray(embedder.embed_documents([c.text for c in batch]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        for candidate, vector in zip(batch, vectors):
            candidate.vector = vector
        if progress:
            progress(min(1.0, (first + len(batch)) / len(items)), "reading the document")


def score_candidates(items: list[Candidate]) -> None:
    """Centrality (z-scored cosine to the mean vector) plus the key-fact bonus."""
    matrix = np.stack([c.vector for c in items])
    centre = matrix.mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    similarity = matrix @ centre
    spread = float(similarity.std()) or 1.0
    for candidate, sim in zip(items, similarity):
        candidate.score = (float(sim) - float(similarity.mean())) / spread + (KEY_BONUS if candidate.key else 0.0)


def select(items: list[Candidate], max_points: int, max_words: int | None) -> list[Candidate]:
    """Best points first, spread over passages, no near-duplicates, within the budget; document order."""
    chosen: list[Candidate] = []
    remaining = list(items)
    total_words = 0
    while remaining and len(chosen) < max_points:
        def adjusted(c: Candidate) -> float:
            return c.score - SAME_PASSAGE_PENALTY * sum(1 for p in chosen if p.chunk_index == c.chunk_index)
        best = max(remaining, key=adjusted)
        remaining.remove(best)
        if any(float(best.vector @ p.vector) >= DUPLICATE_COSINE or fuzz.token_set_ratio(best.text, p.text) >= DUPLICATE_WORDS
               for p in chosen):
            continue
        if max_words is not None and chosen and total_words + best.words > max_words * 1.1:
            continue
        chosen.append(best)
        total_words += best.words
        if max_words is not None and total_words >= max_words * 0.9:
            break
    return sorted(chosen, key=lambda c: (c.chunk_index, c.start))


def plain_sentences(text: str) -> str:
    """Long sentences cut at semicolons into short ones, each starting with a capital."""
    parts = [p.strip(" ;,") for p in text.split(";")]
    parts = [p[0].upper() + p[1:] for p in parts if p]
    return " ".join(p if p[-1] in ".!?…:" else p + "." for p in parts)


class PointWriter(Protocol):
    """Writes the points from chosen passages (the LLM engine)."""

    name: str
    prompt_version: str

    def write(self, source: SummarySource, pool: list[Candidate], options: SummaryOptions,
              max_points: int, language: str) -> tuple[list[SummaryPoint], list[Citation], list[str]]: ...


class Summarizer:
    """Summaries of a source at a chosen length and style, extractive or written by an LLM."""

    def __init__(self, embedder: Embedder, prompts: PromptLibrary, writer: PointWriter | None = None,
                 fallback_to_extractive: bool = True) -> None:
        self.embedder = embedder
        self.prompts = prompts
        self.writer = writer
        self.fallback_to_extractive = fallback_to_extractive

    def summarize(self, source: SummarySource, options: SummaryOptions = SummaryOptions(),
                  progress: Progress | None = None) -> Summary:
        require_llm(options.engine, self.writer is not None)
        items = require_candidates(source)
        max_points, max_words = point_budget(options.length, len(items))
        embed_candidates(items, self.embedder, progress)
        score_candidates(items)
        source_language = source.meta.language if source.meta.language != "und" else "vi"
        language = options.language or source_language
        warnings: list[str] = []
        if self.writer is not None and options.engine in ("auto", "llm"):
            pool = select(items, min(len(items), max_points * 3), None if max_words is None else max_words * 3)
            try:
                points, citations, notes = self.writer.write(source, pool, options, max_points, language)
                return self._finish(source, options, points, citations, language, self.writer.name,
                                    self.writer.prompt_version, None, notes)
            except (BackendUnavailable, ValueError) as exc:
                if options.engine == "llm" or not self.fallback_to_extractive:
                    raise BackendUnavailable(str(exc)) from exc
                fallback = f"the language model failed ({exc}); the points are the document's own sentences"
                warnings.append(f"summarized without the language model: {exc}")
        else:
            fallback = None
        if language != source_language:
            warnings.append(f"the summary is in the document's language ({source_language}): "
                            f"writing it in '{language}' needs the language model")
        points, citations = self.extractive_points(source, select(items, max_points, max_words), options.style)
        return self._finish(source, options, points, citations, source_language, EXTRACTIVE, None, fallback, warnings)

    @staticmethod
    def extractive_points(source: SummarySource, chosen: list[Candidate], style: Style) -> tuple[list[SummaryPoint], list[Citation]]:
        points, citations = [], []
        for candidate in chosen:
            citations.append(source.citation(candidate.chunk_index, candidate.start, candidate.end))
            text = plain_sentences(candidate.text) if style == "plain" else candidate.text
            points.append(SummaryPoint(text=text, citations=[len(citations)], key=candidate.key))
        return points, citations

    def _finish(self, source: SummarySource, options: SummaryOptions, points: list[SummaryPoint],
                citations: list[Citation], language: str, engine: str, prompt_version: str | None,
                fallback: str | None, warnings: list[str]) -> Summary:
        if options.style == "plain":  # dates, deadlines and obligations first, each group in document order
            points = [p for p in points if p.key] + [p for p in points if not p.key]
        summary_words = sum(len(words(p.text)) for p in points)
        source_words = max(1, source.word_count)
        title = source.meta.title or source.meta.doc_number or source.meta.doc_id
        template = "summary_vi.md.j2" if language == "vi" else "summary_en.md.j2"
        markdown = self.prompts.render(template, title=title, doc_number=source.meta.doc_number, points=points,
                                       citations=citations, style=options.style, engine=engine)
        return Summary(title=title, doc_id=source.meta.doc_id if source.indexed else None,
                       doc_number=source.meta.doc_number, language=language, style=options.style, points=points,
                       citations=citations, markdown=markdown, engine=engine, prompt_version=prompt_version,
                       fallback=fallback, source_words=source_words, summary_words=summary_words,
                       compression=round(summary_words / source_words, 4), warnings=warnings)
