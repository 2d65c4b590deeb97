"""BM25 over chunks with tokenization that works for Vietnamese and any Unicode script.

Tokens: lower-cased syllables/words (letters, marks and digits of any script), each document
number as one token (``339-qđ/tw``), syllable bigrams (Vietnamese words are mostly two-syllable
compounds, so bigrams approximate word segmentation without a segmenter), and accent-folded
syllables (``~nghi``) so a query typed without diacritics still matches.
"""

from __future__ import annotations

import json
import math
import shutil
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import regex

from assistant.ingest.identity import DOC_NUMBER, normalize_doc_number
from assistant.text import fold_accents

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")


def words(text: str) -> list[str]:
    """Lower-cased words (syllables in Vietnamese) of any script, in order."""
    return [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", text))]


@dataclass(frozen=True)
class TokenizerOptions:
    bigrams: bool = True
    folded: bool = True


class Tokenizer:
    """Language-agnostic tokenizer (see module docstring)."""

    def __init__(self, options: TokenizerOptions = TokenizerOptions()) -> None:
        self.options = options

    def __call__(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFC", text)
        tokens = [normalize_doc_number(m.group(0)).lower() for m in DOC_NUMBER.finditer(text)]
        syllables = words(text)
        tokens.extend(syllables)
        if self.options.bigrams:
            tokens.extend(f"{a}_{b}" for a, b in zip(syllables, syllables[1:]))
        if self.options.folded:
            folded = [fold_accents(w) for w in syllables]
            tokens.extend("~" + f for f in folded)
            if self.options.bigrams:
                tokens.extend(f"~{a}_{b}" for a, b in zip(folded, folded[1:]))
        return tokens


EMPTY_TOKEN = "\u2400"  # stands in for a chunk with no words (BM25 needs at least one token)


class LexicalIndex:
    """A BM25 index over chunk texts, persisted with the catalog generation it was built from.

    A large index is not rebuilt for every changed document (``bm25s`` cannot add to an index, and a
    rebuild costs time linear in the whole index: ~45 s at 100,000 chunks). Once the main index holds
    ``delta_from`` chunks, the chunks of documents changed since it was built are kept beside it in a small
    delta, scored with the same BM25 formula and the main index's statistics (document frequencies, number
    and mean length of chunks), and their old chunks in the main index are masked. The main index is rebuilt
    whole when the delta outgrows ``delta_share`` of it. Only the main index is saved: the catalog's change
    log brings the delta back."""

    def __init__(
        self,
        path: Path,
        tokenizer: Tokenizer | None = None,
        k1: float = 0.8,
        b: float = 0.35,
        delta_from: int = 20_000,
        delta_share: float = 0.05,
    ) -> None:
        self.path = path
        self.tokenizer = tokenizer or Tokenizer()
        self.k1, self.b = k1, b  # low saturation and length normalisation: measured on real legal questions
        self.delta_from, self.delta_share = delta_from, delta_share
        self.lock = threading.RLock()
        self._bm25 = None
        self._main_ids: list[str] = []
        self._average_length = 0.0
        self._set_doc_ids([])
        self._delta: dict[str, list[tuple[str, Counter[str], int]]] = {}  # doc -> (chunk id, counts, length)
        self._postings: _Postings | None = None  # the delta inverted, made when first searched
        self.built_generation = -1  # the catalog generation of the main index
        self.generation = -1  # ...and of what is searched (main + delta)

    # -- building -----------------------------------------------------------------------------
    def build(self, items: Iterable[tuple[str, str, str]], generation: int) -> None:
        """Index ``(chunk_id, doc_id, text)`` triples (the main index, whole; the delta is emptied)."""
        import bm25s

        items = list(items)
        with self.lock:
            self._main_ids = [cid for cid, _, _ in items]
            self._set_doc_ids([did for _, did, _ in items])
            self._delta, self._postings = {}, None
            if items:
                tokenized = [self.tokenizer(text) or [EMPTY_TOKEN] for _, _, text in items]
                self._average_length = float(np.mean([len(t) for t in tokenized]))
                bm25 = bm25s.BM25(k1=self.k1, b=self.b)
                bm25.index(tokenized, show_progress=False)
                self._bm25 = bm25
            else:
                self._bm25, self._average_length = None, 0.0
            self.built_generation = self.generation = generation

    def takes_delta(self, changed_chunks: int) -> bool:
        """Whether ``changed_chunks`` more can go to the delta rather than a rebuild of the main index."""
        with self.lock:
            size = len(self._main_ids)
            return size >= self.delta_from and self.delta_chunks + changed_chunks <= self.delta_share * size

    def apply(self, changed: dict[str, list[tuple[str, str]]], generation: int) -> None:
        """Documents changed since: each doc id with its chunks now, ``(chunk_id, text)`` (none: deleted)."""
        with self.lock:
            for doc_id, chunks in changed.items():
                if doc_id in self._doc_code:  # its chunks in the main index are outdated
                    self._masked[self._doc_code[doc_id]] = True
                if chunks:
                    self._delta[doc_id] = [
                        (chunk_id, Counter(tokens), len(tokens))
                        for chunk_id, text in chunks
                        for tokens in [self.tokenizer(text) or [EMPTY_TOKEN]]
                    ]
                else:
                    self._delta.pop(doc_id, None)
            self._postings = None
            self.generation = generation

    @property
    def delta_chunks(self) -> int:
        with self.lock:
            return sum(len(chunks) for chunks in self._delta.values())

    @property
    def chunk_ids(self) -> list[str]:
        """The chunks searched: the main index's, less those of changed documents, and the delta's."""
        with self.lock:
            kept = [cid for cid, code in zip(self._main_ids, self._chunk_doc_codes) if not self._masked[code]]
            return kept + [cid for chunks in self._delta.values() for cid, _, _ in chunks]

    def _set_doc_ids(self, doc_ids: list[str]) -> None:
        """Each chunk's document, also as integer codes so a document mask is one vector operation."""
        self._doc_code = {d: i for i, d in enumerate(dict.fromkeys(doc_ids))}
        self._chunk_doc_codes = np.array([self._doc_code[d] for d in doc_ids], dtype=np.int32)
        self._masked = np.zeros(len(self._doc_code), dtype=bool)  # documents changed since the main was built

    # -- persistence ----------------------------------------------------------------------------
    def save(self) -> None:
        """Save the main index (the delta is rebuilt from the catalog's change log on load)."""
        with self.lock:
            tmp = self.path.with_name(self.path.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            if self._bm25 is not None:
                self._bm25.save(str(tmp), show_progress=False)
            doc_of_code = list(self._doc_code)
            (tmp / "chunks.json").write_text(
                json.dumps(
                    {
                        "generation": self.built_generation,
                        "chunk_ids": self._main_ids,
                        "doc_ids": [doc_of_code[code] for code in self._chunk_doc_codes],
                        "average_length": self._average_length,
                        "k1": self.k1,
                        "b": self.b,
                    }
                )
            )
            old = self.path.with_name(self.path.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.path.exists():
                self.path.rename(old)
            tmp.rename(self.path)
            shutil.rmtree(old, ignore_errors=True)

    def load(self) -> bool:
        """Load a saved index; False when none is saved or it is unreadable."""
        import bm25s

        manifest = self.path / "chunks.json"
        if not manifest.is_file():
            return False
        try:
            data = json.loads(manifest.read_text())
            if (data.get("k1"), data.get("b")) != (self.k1, self.b) or "average_length" not in data:
                return False  # built with other parameters or by an older version: rebuilt on the next refresh
            bm25 = bm25s.BM25.load(str(self.path), show_progress=False) if data["chunk_ids"] else None
        except (OSError, ValueError, KeyError):
            return False
        with self.lock:
            self._bm25 = bm25
            self._main_ids = data["chunk_ids"]
            self._set_doc_ids(data["doc_ids"])
            self._average_length = float(data["average_length"])
            self._delta, self._postings = {}, None
            self.built_generation = self.generation = int(data["generation"])
        return True

    # -- searching ------------------------------------------------------------------------------
    def unaccented_ratio(self, query: str) -> float:
        """Share of query words known only in accent-folded form (Vietnamese typed without diacritics)."""
        with self.lock:
            if self._bm25 is None:
                return 0.0
            vocab = self._bm25.vocab_dict
            query_words = words(query)
            if not query_words:
                return 0.0
            folded_only = sum(1 for w in query_words if w not in vocab and "~" + fold_accents(w) in vocab)
            return folded_only / len(query_words)

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each token over the main index's chunks (unseen: the highest)."""
        with self.lock:
            if self._bm25 is None:
                return {t: 1.0 for t in tokens}
            vocab, indptr, n = self._bm25.vocab_dict, self._bm25.scores["indptr"], self._bm25.scores["num_docs"]
            out = {}
            for token in tokens:
                i = vocab.get(token)
                df = 0 if i is None else int(indptr[i + 1] - indptr[i])
                out[token] = math.log(1 + (n - df + 0.5) / (df + 0.5))
            return out

    def search(self, query: str, k: int, allowed_docs: set[str] | None = None) -> list[tuple[str, float]]:
        """Top ``k`` chunk ids by BM25 score (> 0), restricted to ``allowed_docs`` when given."""
        with self.lock:
            tokens = self.tokenizer(query)
            found = self._search_main(tokens, k, allowed_docs) + self._search_delta(tokens, allowed_docs)
            found.sort(key=lambda hit: -hit[1])
            return found[:k]

    def _search_main(self, tokens: list[str], k: int, allowed_docs: set[str] | None) -> list[tuple[str, float]]:
        if self._bm25 is None:
            return []
        vocab = self._bm25.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        hidden = self._masked
        if allowed_docs is not None and not self._doc_code.keys() <= allowed_docs:
            allowed = np.zeros(len(self._doc_code), dtype=bool)
            allowed[[self._doc_code[d] for d in allowed_docs if d in self._doc_code]] = True
            hidden = hidden | ~allowed
        if hidden.any():
            scores = np.where(hidden[self._chunk_doc_codes], 0.0, scores)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._main_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def _search_delta(self, tokens: list[str], allowed_docs: set[str] | None) -> list[tuple[str, float]]:
        """The delta's chunks scored as the main index scores its own (Lucene BM25, the main index's idf and
        mean length; a query token counted as often as it occurs, as ``bm25s`` does)."""
        if not self._delta:
            return []
        if self._postings is None:
            self._postings = _Postings(self._delta, self.k1, self.b, self._average_length)
        postings = self._postings
        scores = np.zeros(len(postings.chunk_ids), dtype=np.float64)
        times = Counter(tokens)
        for token, weight in self.idf(times).items():
            rows, tfs = postings.of(token)
            if len(rows):
                scores[rows] += times[token] * weight * tfs / (tfs + postings.norm[rows])
        if allowed_docs is not None:
            scores[[d not in allowed_docs for d in postings.doc_ids]] = 0.0
        return [(postings.chunk_ids[i], float(scores[i])) for i in np.flatnonzero(scores > 0)]


class _Postings:
    """The delta inverted: for each token, the delta chunks that hold it and how often."""

    def __init__(
        self, delta: dict[str, list[tuple[str, Counter[str], int]]], k1: float, b: float, average_length: float
    ) -> None:
        self.chunk_ids: list[str] = []
        self.doc_ids: list[str] = []
        lengths: list[int] = []
        gathered: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, chunks in delta.items():
            for chunk_id, counts, length in chunks:
                row = len(self.chunk_ids)
                self.chunk_ids.append(chunk_id)
                self.doc_ids.append(doc_id)
                lengths.append(length)
                for token, count in counts.items():
                    rows, tfs = gathered.setdefault(token, ([], []))
                    rows.append(row)
                    tfs.append(count)
        self._postings = {
            t: (np.array(r, dtype=np.int64), np.array(f, dtype=np.float64)) for t, (r, f) in gathered.items()
        }
        self.norm = k1 * (1 - b + b * np.array(lengths, dtype=np.float64) / max(average_length, 1e-9))
        self._empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def of(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        return self._postings.get(token, self._empty)
