"""Synthesis of members' comments on a draft, offline and without an LLM: per article, the comments grouped by
theme, identical and near-identical ones (form letters) merged with their count, each theme titled by its most
representative comment's own words, with counts of agree / disagree / propose and verbatim quotes cited to the
comment ids. Every comment lands in exactly one theme or in "other", so the counts always add up.

Themes come from the same embeddings as retrieval (multilingual-e5-small) and scikit-learn's agglomerative
clustering (average linkage on cosine distance, cut at a distance threshold: the number of themes follows the
comments, it is not fixed beforehand). A very large article is first reduced to micro-clusters (MiniBatchKMeans)
whose centres are then clustered the same way, so memory stays linear.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.text import fold_accents

Stance = Literal["agree", "disagree", "propose"]
Embed = Callable[[Sequence[str]], np.ndarray]
THEME_DISTANCE = 0.10  # cosine distance at which themes are cut (both sets swept: see README, *Consultations*)
DUPLICATE_DISTANCE = 0.01  # closer than this is the same comment (copies differ in case, punctuation, accents)
MIN_THEME = 2  # a theme has at least this many comments; fewer go to "other"
DIRECT_LIMIT = 6000  # above this many distinct comments, cluster micro-clusters' centres instead
TITLE_CHARS = 160
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class CommentIn:
    id: str
    text: str
    stance: Stance | None = None
    target: str = ""  # the article/clause path commented on; "" = the draft as a whole


class Quote(BaseModel):
    comment_id: str
    text: str = Field(description="the comment, verbatim")


class Theme(BaseModel):
    title: str = Field(description="the most representative comment's own words (its first sentence)")
    title_comment_id: str | None
    comments: int
    duplicates_merged: int = Field(description="comments identical or nearly so to another one of the theme")
    agree: int
    disagree: int
    propose: int
    unmarked: int = Field(description="comments without a stance (e.g. typed from paper without one)")
    quotes: list[Quote]
    comment_ids: list[str]
    copies: list[list[str]] = Field(
        default_factory=list,
        description="ids of comments merged as copies of each other (form letters), a list per text",
    )


class TargetSynthesis(BaseModel):
    target: str = Field(description="article/clause path, or '' for comments on the whole draft")
    comments: int
    themes: list[Theme]
    other: Theme | None = Field(description="comments that share a theme with no other comment")


class Synthesis(BaseModel):
    comments: int
    targets: list[TargetSynthesis]
    engine: str = "extractive"

    def check_counts(self) -> None:
        """Every comment is counted exactly once (raises AssertionError otherwise)."""
        seen = [
            cid for t in self.targets for th in [*t.themes, *([t.other] if t.other else [])] for cid in th.comment_ids
        ]
        assert len(seen) == len(set(seen)) == self.comments, "a comment was lost or counted twice"


def normalized(text: str) -> str:
    """The words of ``text`` without case, punctuation or accents: copies typed again compare equal."""
    return " ".join(_WORDS.findall(fold_accents(text).casefold()))


def first_sentence(text: str, limit: int = TITLE_CHARS) -> str:
    """The comment's first sentence, cut at a word if it is long (its own words: nothing is rewritten)."""
    sentence = re.split(r"(?<=[.!?;…])\s+", text.strip(), maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " …"


def _agglomerate(vectors: np.ndarray, threshold: float) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold)
    return model.fit_predict(vectors)


def cluster(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Theme labels for unit vectors; micro-clusters first when there are too many for pairwise distances."""
    if len(vectors) <= DIRECT_LIMIT:
        return _agglomerate(vectors, threshold)
    from sklearn.cluster import MiniBatchKMeans

    # random initial centres: k-means++ over thousands of centres costs more than the clustering itself
    micro = MiniBatchKMeans(n_clusters=DIRECT_LIMIT // 2, init="random", random_state=0, n_init=1, batch_size=4096).fit(
        vectors
    )
    centres = micro.cluster_centers_ / np.maximum(np.linalg.norm(micro.cluster_centers_, axis=1, keepdims=True), 1e-12)
    return _agglomerate(centres, threshold)[micro.labels_]


def _theme(members: list[CommentIn], vectors: np.ndarray, copies: list[list[str]], title: bool = True) -> Theme:
    centre = vectors.mean(axis=0)
    order = np.argsort(-(vectors @ centre))  # most central first
    stances = Counter(c.stance for c in members)
    quotes, quoted = [], set()
    for i in order:
        key = normalized(members[i].text)
        if key not in quoted:
            quoted.add(key)
            quotes.append(Quote(comment_id=members[i].id, text=members[i].text))
        if len(quotes) == 3:
            break
    head = members[int(order[0])]
    return Theme(
        title=first_sentence(head.text) if title else "Ý kiến khác",
        title_comment_id=head.id if title else None,
        comments=len(members),
        duplicates_merged=sum(len(c) - 1 for c in copies),
        agree=stances["agree"],
        disagree=stances["disagree"],
        propose=stances["propose"],
        unmarked=stances[None],
        quotes=quotes,
        comment_ids=[c.id for c in members],
        copies=copies,
    )


def synthesize_target(
    target: str, comments: list[CommentIn], embed: Embed, threshold: float = THEME_DISTANCE, min_theme: int = MIN_THEME
) -> TargetSynthesis:
    """Themes of the comments on one article (or on the whole draft)."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, comment in enumerate(comments):
        by_text[normalized(comment.text) or comment.text.strip()].append(i)
    texts = list(by_text)
    first = [by_text[t][0] for t in texts]
    unique_vectors = np.asarray(embed([comments[i].text for i in first]), dtype=np.float32)
    unique_vectors /= np.maximum(np.linalg.norm(unique_vectors, axis=1, keepdims=True), 1e-12)
    near = _agglomerate(unique_vectors, DUPLICATE_DISTANCE) if len(texts) <= DIRECT_LIMIT else np.arange(len(texts))
    groups: dict[int, list[int]] = defaultdict(list)  # near-duplicate group -> indices of distinct texts
    for u, g in enumerate(near):
        groups[int(g)].append(u)
    group_ids = list(groups)
    group_vectors = np.stack([unique_vectors[groups[g]].mean(axis=0) for g in group_ids])
    group_vectors /= np.maximum(np.linalg.norm(group_vectors, axis=1, keepdims=True), 1e-12)
    labels = cluster(group_vectors, threshold)
    members_of: dict[int, list[int]] = defaultdict(list)  # theme label -> comment indices
    copies_of: dict[int, list[list[str]]] = defaultdict(list)  # theme label -> groups of copies (ids)
    for g, label in zip(group_ids, labels):
        indices = [i for u in groups[g] for i in by_text[texts[u]]]
        members_of[int(label)].extend(indices)
        if len(indices) > 1:
            copies_of[int(label)].append([comments[i].id for i in indices])
    vector_of = {i: unique_vectors[u] for u, t in enumerate(texts) for i in by_text[t]}
    themes, rest = [], []
    for label, indices in members_of.items():
        if len(indices) < min_theme:
            rest.extend(indices)
            continue
        themes.append(
            _theme([comments[i] for i in indices], np.stack([vector_of[i] for i in indices]), copies_of[label])
        )
    themes.sort(key=lambda t: -t.comments)
    other = (
        _theme([comments[i] for i in rest], np.stack([vector_of[i] for i in rest]), [], title=False) if rest else None
    )
    return TargetSynthesis(target=target, comments=len(comments), themes=themes, other=other)


def synthesize(
    comments: list[CommentIn], embed: Embed, threshold: float = THEME_DISTANCE, min_theme: int = MIN_THEME
) -> Synthesis:
    """Themes per article (in the order the articles first appear), then the comments on the whole draft."""
    by_target: dict[str, list[CommentIn]] = defaultdict(list)
    for comment in comments:
        by_target[comment.target].append(comment)
    order = sorted(by_target, key=lambda t: (t == "", list(by_target).index(t)))
    result = Synthesis(
        comments=len(comments), targets=[synthesize_target(t, by_target[t], embed, threshold, min_theme) for t in order]
    )
    result.check_counts()
    return result
