"""Evaluation of comment synthesis on labelled comments (JSONL: id, text, and a gold ``topic`` or ``theme``;
optionally ``target``): adjusted Rand index and V-measure of our themes against the gold ones, beside k-means
with k = √n on the same embeddings, in the same run; planted form letters merged (pair precision / recall);
counts checked to add up; quotes checked verbatim; and whether a stance could be read from the words.

    assistant eval synthesis evals/datasets/consultation [--threshold 0.10] [--sweep]
    assistant eval synthesis ../shared/evaldata/feedback-dev
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.tasks.synthesis import CommentIn, Stance, Synthesis, synthesize
from evals.retrieval import eval_embedder

SWEEP = (0.07, 0.08, 0.09, 0.10, 0.11, 0.12)


def load_rows(directory: Path) -> list[dict]:
    return [
        json.loads(line) for line in (directory / "comments.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]


def load_comments(directory: Path) -> tuple[list[CommentIn], list[str]]:
    """The comments, with their stance when the set gives one (ours do; feedback-dev's sentiment is not a stance)."""
    rows = load_rows(directory)
    comments = [CommentIn(id=r["id"], text=r["text"], target=r.get("target", ""), stance=r.get("stance")) for r in rows]
    return comments, [r.get("theme") or r["topic"] for r in rows]


def duplicate_pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for group in groups for i, a in enumerate(sorted(group)) for b in sorted(group)[i + 1 :]}


def merge_scores(rows: list[dict], synthesis: Synthesis) -> dict | None:
    """Precision and recall of the comments merged as copies, against the planted form letters (pairs)."""
    if not any(r.get("letter") for r in rows):
        return None
    gold: dict[str, list[str]] = {}
    for r in rows:
        if r.get("letter"):
            gold.setdefault(r["letter"], []).append(r["id"])
    ours = [group for t in synthesis.targets for th in t.themes for group in th.copies]
    gold_pairs, our_pairs = duplicate_pairs(list(gold.values())), duplicate_pairs(ours)
    hit = len(gold_pairs & our_pairs)
    return {
        "precision": round(hit / len(our_pairs), 4) if our_pairs else 1.0,
        "recall": round(hit / len(gold_pairs), 4) if gold_pairs else 1.0,
        "gold_pairs": len(gold_pairs),
    }


def labels_of(synthesis: Synthesis, ids: list[str]) -> list[str]:
    """Each comment's theme (every "other" comment a theme of its own: it was grouped with nothing)."""
    label = {}
    for target in synthesis.targets:
        for n, theme in enumerate(target.themes):
            label.update({cid: f"{target.target}#{n}" for cid in theme.comment_ids})
        if target.other:
            label.update({cid: f"other:{cid}" for cid in target.other.comment_ids})
    return [label[i] for i in ids]


def scores(gold: list[str], predicted: list[str]) -> dict:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    return {
        "ari": round(float(adjusted_rand_score(gold, predicted)), 4),
        "v_measure": round(float(v_measure_score(gold, predicted)), 4),
        "groups": len(set(predicted)),
    }


# -- could a comment's stance be read from its wording? (measured, not used: members choose their stance) ----
_DISAGREE = (
    "không đồng ý",
    "không tán thành",
    "phản đối",
    "không nên",
    "không hợp lý",
    "không phù hợp",
    "không thể",
    "không đủ",
    "không chấp nhận",
    "chưa phù hợp",
    "chưa hợp lý",
    "quá cứng nhắc",
    "bất hợp lý",
)
_PROPOSE = (
    "đề nghị",
    "kiến nghị",
    "đề xuất",
    "nên ",
    "cần ",
    "bổ sung",
    "sửa",
    "thay vì",
    "thay bằng",
    "lùi",
    "kéo dài",
    "giảm",
    "tăng",
    "bỏ ",
    "phải có",
    "muốn",
)
_AGREE = (
    "đồng ý",
    "nhất trí",
    "tán thành",
    "ủng hộ",
    "hoàn toàn",
    "thiết thực",
    "rất tốt",
    "hợp lý",
    "phù hợp",
    "tốt",
    "hay",
    "tiện lợi",
    "nhiệt tình",
    "hài lòng",
    "dễ hiểu",
)


def guess_stance(text: str) -> Stance | None:
    """The stance a comment's words state (None when they state none): disagreement first, then a proposal,
    then agreement — "không đồng ý" is not "đồng ý", and "đồng ý, nhưng đề nghị sửa" proposes a change."""
    words = f" {text.casefold()} "
    if any(cue in words for cue in _DISAGREE):
        return "disagree"
    if any(cue in words for cue in _PROPOSE):
        return "propose"
    if any(cue in words for cue in _AGREE):
        return "agree"
    return None


SENTIMENT_STANCE = {"positive": "agree", "negative": "disagree"}  # feedback-dev: a proxy (neutral left out)


def stance_scores(rows: list[dict]) -> dict:
    """How often :func:`guess_stance` reads the gold stance from the words (what a paper comment without one
    gets); accuracy over the comments with a gold stance, and how many it leaves unread."""
    pairs = [(r.get("stance") or SENTIMENT_STANCE.get(r.get("sentiment", "")), guess_stance(r["text"])) for r in rows]
    pairs = [(gold, guess) for gold, guess in pairs if gold]
    right = sum(gold == guess for gold, guess in pairs)
    return {
        "comments": len(pairs),
        "accuracy": round(right / len(pairs), 4) if pairs else None,
        "unread": sum(guess is None for _, guess in pairs),
    }


def run_synthesis_eval(
    directory: Path, settings: Settings, threshold: float | None = None, sweep: bool = False
) -> dict:
    from sklearn.cluster import KMeans

    rows = load_rows(directory)
    comments, gold = load_comments(directory)
    embedder = eval_embedder(settings)
    started = time.perf_counter()
    vectors = embedder.embed_documents([c.text for c in comments])
    embed_s = time.perf_counter() - started
    cache = {c.text: v for c, v in zip(comments, vectors)}
    embed = lambda texts: np.stack([cache[t] for t in texts])  # noqa: E731 (embedded once above)
    ids = [c.id for c in comments]
    report: dict = {
        "dataset": str(directory),
        "comments": len(comments),
        "gold_groups": len(set(gold)),
        "embedding_s": round(embed_s, 1),
    }
    kwargs = {} if threshold is None else {"threshold": threshold}
    started = time.perf_counter()
    result = synthesize(comments, embed, **kwargs)
    report["synthesis_s"] = round(time.perf_counter() - started, 2)
    report["ours"] = scores(gold, labels_of(result, ids))
    report["ours"]["themes"] = sum(len(t.themes) for t in result.targets)
    report["ours"]["in_other"] = sum(t.other.comments for t in result.targets if t.other)
    texts = {c.id: c.text for c in comments}
    report["quotes_verbatim"] = all(
        q.text == texts[q.comment_id] for t in result.targets for th in t.themes for q in th.quotes
    )
    report["counts_add_up"] = True  # synthesize() checks it and raises otherwise
    report["copies_merged"] = merge_scores(rows, result)
    report["stance_from_wording"] = stance_scores(rows)
    k = max(2, round(math.sqrt(len(comments))))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    report["baseline_kmeans_sqrt_n"] = {
        "k": k,
        **scores(gold, [str(x) for x in KMeans(k, random_state=0, n_init=3).fit_predict(unit)]),
    }
    if sweep:
        report["sweep"] = {
            str(t): scores(gold, labels_of(synthesize(comments, embed, threshold=t), ids)) for t in SWEEP
        }
    return report
