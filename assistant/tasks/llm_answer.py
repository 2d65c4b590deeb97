"""The LLM engine: the model writes the answer, the service checks every citation before showing it.

The model gets the retrieved passages (as data, in tagged blocks) and must reply with JSON: its
sentences, each with quotes copied from numbered passages. A quote that cannot be found in its
passage (exactly or by fuzzy span match) is dropped; a sentence left without a verified quote, or
whose numbers or words are not in what it cites, is dropped and reported in ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from assistant.domain import Citation, SearchHit
from assistant.errors import BackendUnavailable
from assistant.ingest.structure import detect_language
from assistant.llm import ChatModel, parse_json_reply
from assistant.prompts import PromptLibrary
from assistant.tasks.verify import locate_quote, unsupported_reason

LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English", "bn": "Bengali"}


class _Quote(BaseModel):
    passage: int
    quote: str


class _Sentence(BaseModel):
    text: str
    citations: list[_Quote] = Field(default_factory=list)


class _Reply(BaseModel):
    not_found: bool = False
    sentences: list[_Sentence] = Field(default_factory=list)


def parse_reply(raw: str) -> _Reply:
    """The answer in a model reply (see :func:`assistant.llm.parse_json_reply`)."""
    return parse_json_reply(raw, _Reply)


@dataclass
class VerifiedAnswer:
    """Sentences that passed verification, each with its citations; what was dropped and why."""

    sentences: list[tuple[str, list[Citation]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    model_said_not_found: bool = False


class LLMAnswerer:
    """Prompt the chat model with the passages, then verify its quotes and sentences."""

    def __init__(
        self, chat: ChatModel, prompts: PromptLibrary, prompt_version: str = "ask_v1", max_sentences: int = 4
    ) -> None:
        self.chat = chat
        self.prompts = prompts
        self.prompt_version = prompt_version
        self.max_sentences = max_sentences

    def messages(self, question: str, hits: list[SearchHit], language: str) -> tuple[str, str]:
        passages = [
            {
                "doc_number": h.meta.doc_number,
                "title": h.meta.title,
                "structure_path": h.chunk.structure_path,
                "page": h.chunk.page_start,
                "text": h.chunk.text,
            }
            for h in hits
        ]
        system = self.prompts.render(
            f"{self.prompt_version}.system.j2",
            language_name=LANGUAGE_NAMES.get(language, "the language of the question"),
            max_sentences=self.max_sentences,
        )
        user = self.prompts.render(f"{self.prompt_version}.user.j2", passages=passages, question=question)
        return system, user

    def answer(
        self, question: str, hits: list[SearchHit], language: str, page_starts: dict[str, list[int]]
    ) -> VerifiedAnswer:
        system, user = self.messages(question, hits, language)
        raw = self.chat.complete(system, user)
        try:
            reply = parse_reply(raw)
        except ValueError as exc:
            raise BackendUnavailable(f"the language model's reply could not be used: {exc}") from exc
        return self.verify(reply, hits, page_starts)

    def verify(self, reply: _Reply, hits: list[SearchHit], page_starts: dict[str, list[int]]) -> VerifiedAnswer:
        out = VerifiedAnswer(model_said_not_found=reply.not_found and not reply.sentences)
        for sentence in reply.sentences[: self.max_sentences]:
            text = " ".join(sentence.text.split())
            if not text:
                continue
            located = [found for q in sentence.citations if (found := self._locate(q, hits, page_starts))]
            if not located:
                out.warnings.append(f"dropped a sentence whose quotes were not found in the passages: {text[:120]!r}")
                continue
            citations = [citation for _, citation in located]
            evidence = " ".join(hit.chunk.text for hit, _ in located)  # the whole cited chunks, not just the quotes
            reason = unsupported_reason(text, evidence, same_language=_same_language(text, evidence))
            if reason:
                out.warnings.append(f"dropped an unsupported sentence ({reason}): {text[:120]!r}")
                continue
            out.sentences.append((text, citations))
        return out

    @staticmethod
    def _locate(
        quote: _Quote, hits: list[SearchHit], page_starts: dict[str, list[int]]
    ) -> tuple[SearchHit, Citation] | None:
        """The passage holding the quote (its own, or another if the model mixed up numbers) and the citation."""
        order = list(range(len(hits)))
        if 1 <= quote.passage <= len(hits):
            order.remove(quote.passage - 1)
            order.insert(0, quote.passage - 1)
        for i in order:
            match = locate_quote(quote.quote, hits[i].chunk.text)
            if match:
                return hits[i], hits[i].span_citation(match.start, match.end, page_starts.get(hits[i].chunk.doc_id))
        return None


def _same_language(a: str, b: str) -> bool:
    return detect_language(a) == detect_language(b)
