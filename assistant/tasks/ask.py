"""Answer a policy question with citations, or say honestly that the documents don't answer it.

retrieve (inside the caller's access scope) -> score the retrieved sentences against the question ->
abstain when the best evidence is below the calibrated threshold -> answer with the LLM engine when
one is configured (its quotes verified), else (or when it fails, flagged) with the extractive engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.domain import Answer, AnswerSentence, Citation, SearchHit
from assistant.errors import BackendUnavailable, InvalidInput
from assistant.filters import SearchFilter
from assistant.index.catalog import Catalog
from assistant.index.lexical import LexicalIndex
from assistant.ingest.structure import detect_language
from assistant.llm import EngineChoice, require_llm
from assistant.retrieve import UNACCENTED_QUERY_RATIO, HybridRetriever
from assistant.tasks.evidence import QueryTerms, Sentence, score_sentences
from assistant.tasks.extractive import ExtractiveOptions, select_blocks
from assistant.tasks.facts import REQUIRED, asked_fact
from assistant.tasks.llm_answer import LLMAnswerer
from assistant.text import unwrap_lines

EXTRACTIVE = "extractive"

NOT_FOUND_MESSAGE = {
    "vi": "Không tìm thấy nội dung trả lời câu hỏi này trong các văn bản bạn được phép xem.",
    "en": "The documents you may see do not answer this question.",
    "bn": "আপনার দেখার অনুমতি আছে এমন নথিতে এই প্রশ্নের উত্তর পাওয়া যায়নি।",
}


@dataclass(frozen=True)
class AskOptions:
    k: int = 5  # passages retrieved (and given to the LLM)
    min_confidence: float = 0.275  # abstain below this evidence score (calibrated: see README)
    fallback_to_extractive: bool = True  # engine "auto": answer extractively, flagged, when the LLM fails


class AskService:
    """The Q&A task: one retrieval, two engines, one answer shape."""

    def __init__(
        self,
        retriever: HybridRetriever,
        llm: LLMAnswerer | None = None,
        options: AskOptions = AskOptions(),
        extractive: ExtractiveOptions = ExtractiveOptions(),
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.options = options
        self.extractive = extractive

    @property
    def catalog(self) -> Catalog:
        return self.retriever.index.catalog

    @property
    def lexical(self) -> LexicalIndex:
        return self.retriever.index.lexical

    def ask(self, question: str, search_filter: SearchFilter | None = None, engine: EngineChoice = "auto") -> Answer:
        question = " ".join(question.split())
        if not question:
            raise InvalidInput("the question is empty")
        require_llm(engine, self.llm is not None)
        hits = self.retriever.search(question, k=self.options.k, search_filter=search_filter).hits
        fact = asked_fact(question)
        sentences = score_sentences(QueryTerms.of(question, self.lexical), hits, fact)
        confidence = round(max((s.coverage for s in sentences if s.score > 0), default=0.0), 4)
        language = self.answer_language(question)
        wants_llm = self.llm is not None and engine in ("auto", "llm")
        if confidence < self.options.min_confidence:
            fallback = "the documents hold too little evidence; the language model was not asked" if wants_llm else None
            return _not_found(question, language, EXTRACTIVE, None, confidence, fallback)
        required = fact is not None and fact in REQUIRED
        if (
            fact is not None
            and required
            and not any(s.holds_fact and s.coverage >= self.options.min_confidence for s in sentences)
        ):
            # The passages are about the question, but none states the date / amount / number it asks for.
            return _not_found(
                question,
                language,
                EXTRACTIVE,
                None,
                confidence,
                warnings=[f"the passages found do not state the {fact.value} asked for"],
            )
        if wants_llm:
            try:
                return self._llm_answer(question, hits, language, confidence)
            except BackendUnavailable as exc:
                if engine == "llm" or not self.options.fallback_to_extractive:
                    raise
                answer = self._extractive_answer(question, hits, sentences, language, confidence, required)
                answer.fallback = str(exc)
                answer.warnings.append(f"answered without the language model: {exc}")
                return answer
        return self._extractive_answer(question, hits, sentences, language, confidence, required)

    def answer_language(self, question: str) -> str:
        """Language of the question (Vietnamese typed without diacritics counts as Vietnamese)."""
        language = detect_language(question)
        if language in ("en", "und") and self.lexical.unaccented_ratio(question) >= UNACCENTED_QUERY_RATIO:
            return "vi"
        return language if language in NOT_FOUND_MESSAGE else "en"

    def _page_starts(self, hits: list[SearchHit]) -> dict[str, list[int]]:
        return {
            h.chunk.doc_id: self.catalog.page_starts(h.chunk.doc_id)
            for h in hits
            if h.chunk.page_end != h.chunk.page_start
        }

    def _extractive_answer(
        self,
        question: str,
        hits: list[SearchHit],
        sentences: list[Sentence],
        language: str,
        confidence: float,
        fact_required: bool = False,
    ) -> Answer:
        page_starts = self._page_starts(hits)
        items = []
        for block in select_blocks(sentences, hits, self.extractive, fact_required):
            hit = hits[block.hit_rank]
            citation = hit.span_citation(block.start, block.end, page_starts.get(hit.chunk.doc_id))
            items.append((unwrap_lines(citation.quote), [citation]))
        if not items:
            return _not_found(question, language, EXTRACTIVE, None, confidence)
        return compose_answer(question, items, EXTRACTIVE, None, confidence)

    def _llm_answer(self, question: str, hits: list[SearchHit], language: str, confidence: float) -> Answer:
        assert self.llm is not None
        verified = self.llm.answer(question, hits, language, self._page_starts(hits))
        name, version = self.llm.chat.name, self.llm.prompt_version
        if not verified.sentences:
            warnings = list(verified.warnings)
            if not verified.model_said_not_found:
                warnings.append(
                    "none of the model's sentences could be verified against the documents, so none is shown"
                )
            return _not_found(question, language, name, version, confidence, warnings=warnings)
        answer = compose_answer(question, verified.sentences, name, version, confidence)
        answer.warnings.extend(verified.warnings)
        return answer


def compose_answer(
    question: str, items: list[tuple[str, list[Citation]]], engine: str, prompt_version: str | None, confidence: float
) -> Answer:
    """Number the citations (the same span cited twice gets one number) and mark each sentence with them."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    sentences: list[AnswerSentence] = []
    for text, cited in items:
        marks = []
        for c in cited:
            key = (c.doc_id, c.char_start, c.char_end)
            if key not in numbers:
                citations.append(c)
                numbers[key] = len(citations)
            if numbers[key] not in marks:
                marks.append(numbers[key])
        sentences.append(AnswerSentence(text=text, citations=marks))
    answer = "\n".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in sentences)
    return Answer(
        question=question,
        status="answered",
        answer=answer,
        sentences=sentences,
        citations=citations,
        engine=engine,
        prompt_version=prompt_version,
        confidence=confidence,
    )


def _not_found(
    question: str,
    language: str,
    engine: str,
    prompt_version: str | None,
    confidence: float,
    fallback: str | None = None,
    warnings: list[str] | None = None,
) -> Answer:
    return Answer(
        question=question,
        status="not_found",
        answer=NOT_FOUND_MESSAGE[language],
        engine=engine,
        prompt_version=prompt_version,
        confidence=confidence,
        fallback=fallback,
        warnings=warnings or [],
    )
