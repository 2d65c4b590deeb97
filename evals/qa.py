"""``assistant eval qa DIR``: citation precision and abstention accuracy of ``/v1/ask`` on a BEIR data set.

The corpus goes into a fresh temporary index (each entry a document, as in the retrieval eval); every
query of the split is asked. Unanswerable queries are those marked ``{"answerable": false}`` in
``queries.jsonl``. Answers are produced once with abstention off and the evidence score recorded,
so the report can show, beside the figures at the configured threshold, how every threshold would do
(that sweep is how ``ASSISTANT_ASK_MIN_CONFIDENCE`` was calibrated, on the ``dev`` split).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.domain import Answer
from assistant.llm import EngineChoice, make_chat_model
from assistant.prompts import PromptLibrary
from assistant.tasks.ask import AskOptions, AskService
from assistant.tasks.llm_answer import LLMAnswerer
from evals.beir import load_beir
from evals.retrieval import build_ours, eval_embedder

THRESHOLDS = [round(t, 3) for t in np.arange(0.05, 0.701, 0.025)]


@dataclass
class Outcome:
    qid: str
    answerable: bool
    answer: Answer  # produced with abstention off
    cited: list[str]  # corpus ids of its citations
    gold: set[str]
    latency_ms: float

    def answered_at(self, threshold: float) -> bool:
        return self.answer.status == "answered" and self.answer.confidence >= threshold


def _decision_accuracy(outcomes: list[Outcome], threshold: float) -> dict:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = sum(o.answered_at(threshold) for o in answerable)
    abstained = sum(not o.answered_at(threshold) for o in unanswerable)
    return {
        "threshold": threshold,
        "answered_answerable": round(answered / len(answerable), 4) if answerable else None,
        "abstained_unanswerable": round(abstained / len(unanswerable), 4) if unanswerable else None,
        "decision_accuracy": round((answered + abstained) / len(outcomes), 4) if outcomes else None,
    }


def _best_threshold(sweep: list[dict]) -> float:
    """Middle of the longest run of thresholds that reach the best decision accuracy."""
    best = max(row["decision_accuracy"] for row in sweep)
    runs: list[list[float]] = [[]]
    for row in sweep:
        if row["decision_accuracy"] == best:
            runs[-1].append(row["threshold"])
        elif runs[-1]:
            runs.append([])
    longest = max(runs, key=len)
    return round((longest[0] + longest[-1]) / 2, 3)


def score(outcomes: list[Outcome], threshold: float) -> dict:
    """Figures at one threshold: decisions, citation precision, gold passage cited, latency."""
    answered = [o for o in outcomes if o.answerable and o.answered_at(threshold)]
    citations = [cid for o in answered for cid in o.cited]
    precise = sum(1 for o in answered for cid in o.cited if cid in o.gold)
    latencies = [o.latency_ms for o in outcomes]
    return {
        **_decision_accuracy(outcomes, threshold),
        "citation_precision": round(precise / len(citations), 4) if citations else None,
        "gold_cited": round(sum(any(c in o.gold for c in o.cited) for o in answered) / len(answered), 4)
        if answered
        else None,
        "citations_per_answer": round(len(citations) / len(answered), 2) if answered else None,
        "latency_ms_p50": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "latency_ms_p95": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
    }


def load_questions(directory: Path) -> dict[str, dict]:
    """``questions.jsonl`` of a legal QA set (ALQAC layout): per id its ``type`` (Đúng/Sai, Trắc nghiệm, Tự luận),
    ``choices`` and ``answer``; empty when the set has none."""
    path = directory / "questions.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["_id"]: row for row in rows}


def question_text(query: str, question: dict | None) -> str:
    """What a member would paste: the stem, and the choices of a multiple-choice question under it."""
    choices = (question or {}).get("choices") or {}
    return "\n".join([query, *(f"{letter}. {text}" for letter, text in sorted(choices.items()))])


def by_question_type(outcomes: list[Outcome], questions: dict[str, dict], threshold: float) -> dict:
    """Per question type: answered, gold article cited; for free-form questions, the gold answer's words in the
    answer. True/false and multiple choice are evidence only: no verdict is guessed without a language model."""
    from evals.documents import holds_expected

    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.qid in questions:
            groups.setdefault(questions[o.qid].get("type", "?"), []).append(o)
    report = {}
    for kind, group in sorted(groups.items()):
        answered = [o for o in group if o.answered_at(threshold)]
        row = {
            "questions": len(group),
            "answered": len(answered),
            "gold_cited_of_answered": round(sum(any(c in o.gold for c in o.cited) for o in answered) / len(answered), 4)
            if answered
            else None,
            "gold_cited_of_all": round(sum(any(c in o.gold for c in o.cited) for o in answered) / len(group), 4),
        }
        if kind == "Tự luận":
            row["answer_holds_gold"] = round(
                sum(holds_expected(o.answer.answer, str(questions[o.qid].get("answer", ""))) for o in answered)
                / len(group),
                4,
            )
        else:
            row["verdict"] = (
                "not scored: the extractive engine quotes evidence and does not guess true/false or a letter"
            )
        report[kind] = row
    return report


def run_qa_eval(
    directory: Path, settings: Settings, engine: EngineChoice = "extractive", split: str = "test", details: bool = False
) -> dict:
    """Ask every query of ``split`` and return JSON-ready figures."""
    dataset = load_beir(directory, split)
    questions = load_questions(directory)
    if not dataset.queries:
        raise ValueError(f"{directory} has no queries in split '{split}'")
    embedder = eval_embedder(settings)
    chat = make_chat_model(settings) if engine != "extractive" else None
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="assistant-eval-qa-") as tmp:
        retriever, id_map = build_ours(dataset, settings, embedder, Path(tmp) / "data")
        llm = LLMAnswerer(chat, PromptLibrary(settings.prompts_dir), settings.ask_prompt_version) if chat else None
        asker = AskService(
            retriever,
            llm,
            AskOptions(k=settings.ask_k, min_confidence=0.0, fallback_to_extractive=settings.llm_fallback),
        )
        asker.ask("warm-up")  # load the model outside the timings
        for qid, text in dataset.queries.items():
            started = time.perf_counter()
            answer = asker.ask(question_text(text, questions.get(qid)), engine=engine)
            latency = (time.perf_counter() - started) * 1000
            outcomes.append(
                Outcome(
                    qid,
                    bool(dataset.qrels.get(qid)),
                    answer,
                    [id_map[c.doc_id] for c in answer.citations],
                    set(dataset.qrels.get(qid, {})),
                    latency,
                )
            )
        retriever.index.close()
    sweep = [_decision_accuracy(outcomes, t) for t in THRESHOLDS]
    threshold = settings.ask_min_confidence
    report: dict = {
        "dataset": str(directory),
        "split": split,
        "engine": engine,
        "embedding_model": embedder.name,
        "answerable": sum(o.answerable for o in outcomes),
        "unanswerable": sum(not o.answerable for o in outcomes),
        "threshold_in_use": threshold,
        "at_threshold": score(outcomes, threshold),
        "best_threshold_on_this_split": _best_threshold(sweep),
        "sweep": sweep,
        "engines_used": sorted({o.answer.engine for o in outcomes}),
        **({"by_question_type": by_question_type(outcomes, questions, threshold)} if questions else {}),
        "fallbacks": sum(1 for o in outcomes if o.answer.fallback),
    }
    if details:
        report["questions"] = [
            {
                "id": o.qid,
                "question": o.answer.question,
                "answerable": o.answerable,
                "status": "answered" if o.answered_at(threshold) else "not_found",
                "confidence": o.answer.confidence,
                "cited": o.cited,
                "gold": sorted(o.gold),
                "answer": o.answer.answer if o.answered_at(threshold) else "",
            }
            for o in outcomes
        ]
    return report
