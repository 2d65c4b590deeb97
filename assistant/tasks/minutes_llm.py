"""The LLM writes the narrative of each agenda item; the service keeps only what its sources support.

A rewritten summary or opinion is accepted only when it brings no number or person that the
item's notes, opinions and transcript lack, and most of its words come from them
(:func:`assistant.tasks.verify.unsupported_reason`); otherwise the extractive text stays and a
warning says why. Opinions are kept only for speakers who actually spoke on the item.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.llm import ChatModel, parse_json_reply
from assistant.meeting import MeetingRecord, Opinion
from assistant.prompts import PromptLibrary
from assistant.tasks.llm_answer import LANGUAGE_NAMES
from assistant.tasks.minutes import ItemNarrative, ItemSource
from assistant.tasks.minutes_check import invented_facts
from assistant.tasks.transcript import same_person
from assistant.tasks.verify import unsupported_reason


class _ItemReply(BaseModel):
    item: int
    summary: str = ""
    opinions: list[Opinion] = Field(default_factory=list)


class _Reply(BaseModel):
    items: list[_ItemReply] = Field(default_factory=list)


def _problem(text: str, source: str, people: str) -> str | None:
    """Why ``text`` may not stand in the minutes, given what the item's sources say."""
    invented = invented_facts(text, source + "\n" + people)
    if invented:
        return "adds " + ", ".join(invented)
    return unsupported_reason(text, source)


class LLMNarrativeWriter:
    """Rewrites each item's narrative with a chat model, one request per meeting."""

    def __init__(
        self, chat: ChatModel, prompts: PromptLibrary, prompt_version: str = "minutes_v1", max_sentences: int = 4
    ) -> None:
        self.chat = chat
        self.name = chat.name
        self.prompts = prompts
        self.prompt_version = prompt_version
        self.max_sentences = max_sentences

    def messages(self, record: MeetingRecord, sources: list[ItemSource]) -> tuple[str, str]:
        system = self.prompts.render(
            f"{self.prompt_version}.system.j2",
            max_sentences=self.max_sentences,
            language_name=LANGUAGE_NAMES.get(record.language, record.language),
        )
        return system, self.prompts.render(f"{self.prompt_version}.user.j2", record=record, sources=sources)

    def rewrite(
        self, record: MeetingRecord, sources: list[ItemSource], drafts: list[ItemNarrative]
    ) -> tuple[list[ItemNarrative], list[str]]:
        """``drafts`` with every narrative part the model rewrote faithfully replaced; warnings for the rest."""
        reply = parse_json_reply(self.chat.complete(*self.messages(record, sources)), _Reply)
        by_item = {r.item: r for r in reply.items}
        people = "\n".join(record.people())
        out, warnings = [], []
        for source, draft in zip(sources, drafts):
            answer = by_item.get(source.index)
            if answer is None:
                out.append(draft)
                continue
            evidence = source.text()
            narrative = draft.model_copy(deep=True)
            used = False
            problem = _problem(answer.summary, evidence, people) if answer.summary.strip() else "empty"
            if problem is None:
                narrative.summary, used = " ".join(answer.summary.split()), True
            elif answer.summary.strip():
                warnings.append(f"item {source.index}: kept the notes' own sentences, the model's summary {problem}")
            for i, opinion in enumerate(narrative.opinions):
                rewritten = next((o for o in answer.opinions if same_person(o.speaker, opinion.speaker)), None)
                if rewritten is None:
                    continue
                problem = _problem(rewritten.text, source.said_by(opinion.speaker), people)
                if problem is None:
                    narrative.opinions[i] = Opinion(speaker=opinion.speaker, text=" ".join(rewritten.text.split()))
                    used = True
                else:
                    warnings.append(
                        f"item {source.index}: kept {opinion.speaker}'s own words, the model's version {problem}"
                    )
            strangers = [
                o.speaker
                for o in answer.opinions
                if not any(same_person(o.speaker, n.speaker) for n in narrative.opinions)
            ]
            if strangers:
                warnings.append(
                    f"item {source.index}: dropped opinions of {', '.join(strangers)}, who did not speak on it"
                )
            if used:
                narrative.engine = self.name
            out.append(narrative)
        return out, warnings
