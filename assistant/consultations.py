"""Consultations end to end: open one on an indexed draft, read it article by article, comment (in the app or
from paper), and synthesise the comments by theme for each level — each level from the comments themselves
(not from the prose of the level below), so the numbers are exact at every level."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, Field

from assistant.auth import Principal
from assistant.consultation_import import read_paper_comments
from assistant.errors import InvalidInput, NotFound
from assistant.filters import is_under
from assistant.index.catalog import Catalog
from assistant.index.embeddings import Embedder
from assistant.meeting import Organization, Person
from assistant.official_form import number_line, signer_for
from assistant.prompts import PromptLibrary
from assistant.store.consultations import CommentBody, CommentOut, ConsultationOut, ConsultationPlan, ConsultationsStore
from assistant.tasks.synthesis import CommentIn, Synthesis, synthesize


class Article(BaseModel):
    target: str = Field(description="what to send as a comment's target")
    heading: str
    text: str


class ConsultationSynthesis(BaseModel):
    consultation: ConsultationOut
    unit: str = Field(description="whose comments: your unit and the units under it ('' = the whole organization)")
    by_unit: dict[str, int] = Field(description="comments per unit directly under yours (or per unit)")
    synthesis: Synthesis


class ReportIn(BaseModel):
    organization: Organization
    signer: Person
    number: int | None = Field(default=None, ge=1, le=999)
    report_date: dt.date | None = None


def child_unit(unit: str, under: str) -> str:
    """The unit directly under ``under`` that ``unit`` belongs to (``unit`` itself when it is a direct child)."""
    if not under:
        return unit
    rest = unit[len(under) :].strip("/")
    return f"{under.rstrip('/')}/{rest.split('/')[0]}" if rest else unit


@dataclass
class Consultations:
    store: ConsultationsStore
    catalog: Catalog
    embedder: Embedder
    prompts: PromptLibrary

    def _document(self, caller: Principal, doc_id: str):
        document = self.catalog.get_document(doc_id)
        if document is None or not caller.scope().matches(document.meta):
            raise NotFound(f"no document with id '{doc_id}' that you may read")
        return document

    def articles_of(self, doc_id: str) -> list[Article]:
        """The draft's articles in order (chunks of one article joined), the first one its preamble."""
        articles: dict[str, Article] = {}
        for chunk in self.catalog.chunks_of(doc_id):
            path = chunk.structure_path
            if path in articles:
                articles[path].text += "\n" + chunk.text
            else:
                articles[path] = Article(target=path, heading=chunk.heading or path or "", text=chunk.text)
        return list(articles.values())

    def resolve_target(self, doc_id: str, target: str) -> str:
        """``target`` as a structure path of the draft: exact, or its last part ('Điều 2'); '' is the whole."""
        wanted = " ".join(target.split())
        if not wanted:
            return ""
        paths = [a.target for a in self.articles_of(doc_id) if a.target]
        for path in paths:
            if path.casefold() == wanted.casefold() or path.casefold().endswith(" > " + wanted.casefold()):
                return path
        raise InvalidInput(
            f"the draft has no '{target}': comment on one of {', '.join(p.split(' > ')[-1] for p in paths[:40])}"
            " or on the whole draft (empty)"
        )

    def open(self, caller: Principal, plan: ConsultationPlan) -> ConsultationOut:
        document = self._document(caller, plan.doc_id)
        return self.store.open(caller, plan, document.meta.title or plan.doc_id)

    def articles(self, caller: Principal, consultation_id: str) -> list[Article]:
        return self.articles_of(self.store.get(caller, consultation_id).doc_id)

    def comment(self, caller: Principal, consultation_id: str, body: CommentBody) -> CommentOut:
        doc_id = self.store.get(caller, consultation_id).doc_id
        return self.store.comment(caller, consultation_id, body, self.resolve_target(doc_id, body.target))

    def edit(self, caller: Principal, consultation_id: str, comment_id: int, body: CommentBody) -> CommentOut:
        doc_id = self.store.get(caller, consultation_id).doc_id
        return self.store.edit(caller, consultation_id, comment_id, body, self.resolve_target(doc_id, body.target))

    def import_paper(self, caller: Principal, consultation_id: str, data: bytes, filename: str) -> int:
        doc_id = self.store.get(caller, consultation_id).doc_id
        rows = read_paper_comments(data, filename, lambda target: self.resolve_target(doc_id, target))
        return self.store.enter_paper(
            caller, consultation_id, [(r["author"], r["target"], r["stance"], r["text"]) for r in rows]
        )

    def synthesis(self, caller: Principal, consultation_id: str) -> ConsultationSynthesis:
        consultation, comments = self.store.comments(caller, consultation_id)
        unit = caller.org_unit if all(is_under(c.org_unit, caller.org_unit) for c in comments) else ""
        units = {str(c.id): child_unit(c.org_unit, unit) for c in comments}
        result = synthesize(
            [CommentIn(id=str(c.id), text=c.text, stance=c.stance, target=c.target) for c in comments],
            self.embedder.embed_documents,
        )
        return ConsultationSynthesis(
            consultation=consultation, unit=unit, by_unit=dict(Counter(units.values())), synthesis=result
        )

    def report(self, caller: Principal, consultation_id: str, body: ReportIn, language: str = "vi") -> tuple[str, str]:
        """The synthesis report in the official form (title, Markdown)."""
        found = self.synthesis(caller, consultation_id)
        day = body.report_date or dt.date.today()
        title = f"Báo cáo tổng hợp ý kiến góp ý dự thảo {found.consultation.title}"
        markdown = self.prompts.render(
            "consultation_report_vi.md.j2",
            org=body.organization,
            day=day,
            found=found,
            lang="vi",
            number=number_line("report", body.organization.name, body.number, "vi"),
            signer=signer_for(body.organization.name, body.signer.name, body.signer.role, "vi"),
            recipients=[body.organization.parent or "Cấp ủy cấp trên", "Lưu."],
        )
        return title, markdown
