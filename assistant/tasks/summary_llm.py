"""The LLM writes the summary points from the passages the extractive engine picked; the service
keeps a point only when its sources exist and hold every number it states (and, in the document's
own language, most of its words)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.domain import Citation, SummaryPoint
from assistant.llm import ChatModel, parse_json_reply
from assistant.prompts import PromptLibrary
from assistant.tasks.llm_answer import LANGUAGE_NAMES
from assistant.tasks.summarize import Candidate, SummaryOptions, is_key
from assistant.tasks.summary_source import SummarySource
from assistant.tasks.verify import unsupported_reason


class _Point(BaseModel):
    text: str
    sources: list[int] = Field(default_factory=list)


class _Reply(BaseModel):
    points: list[_Point] = Field(default_factory=list)


class LLMPointWriter:
    """One chat request per summary; unsupported points are dropped with a warning."""

    def __init__(self, chat: ChatModel, prompts: PromptLibrary, prompt_version: str = "summarize_v1") -> None:
        self.chat = chat
        self.name = chat.name
        self.prompts = prompts
        self.prompt_version = prompt_version

    def messages(
        self, source: SummarySource, pool: list[Candidate], options: SummaryOptions, max_points: int, language: str
    ) -> tuple[str, str]:
        max_words = options.length if isinstance(options.length, int) else None
        system = self.prompts.render(
            f"{self.prompt_version}.system.j2",
            max_points=max_points,
            style=options.style,
            max_words=max_words,
            language_name=LANGUAGE_NAMES.get(language, language),
        )
        passages = [
            {
                "text": source.chunks[c.chunk_index].text[c.start : c.end],
                "location": source.chunks[c.chunk_index].structure_path,
            }
            for c in pool
        ]
        user = self.prompts.render(
            f"{self.prompt_version}.user.j2",
            passages=passages,
            doc_number=source.meta.doc_number,
            title=source.meta.title,
        )
        return system, user

    def write(
        self, source: SummarySource, pool: list[Candidate], options: SummaryOptions, max_points: int, language: str
    ) -> tuple[list[SummaryPoint], list[Citation], list[str]]:
        reply = parse_json_reply(
            self.chat.complete(*self.messages(source, pool, options, max_points, language)), _Reply
        )
        same_language = language == source.meta.language
        citations: list[Citation] = []
        cited: dict[int, int] = {}  # pool index -> citation number
        points, warnings = [], []
        for number, point in enumerate(reply.points[:max_points], start=1):
            text = " ".join(point.text.split())
            valid = sorted({s for s in point.sources if 1 <= s <= len(pool)})
            if not text or not valid:
                warnings.append(f"point {number}: dropped, it cites no passage it was given")
                continue
            evidence = "\n".join(
                source.chunks[pool[s - 1].chunk_index].text[pool[s - 1].start : pool[s - 1].end] for s in valid
            )
            problem = unsupported_reason(text, evidence, same_language)
            if problem:
                warnings.append(f"point {number}: dropped ({problem})")
                continue
            for s in valid:
                if s not in cited:
                    c = pool[s - 1]
                    citations.append(source.citation(c.chunk_index, c.start, c.end))
                    cited[s] = len(citations)
            points.append(SummaryPoint(text=text, citations=[cited[s] for s in valid], key=is_key(text)))
        if not points:
            raise ValueError("none of the model's points is supported by its passages")
        return points, citations, warnings
