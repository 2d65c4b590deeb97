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


class LexicalIndex:
    """A BM25 index over chunk texts, persisted with the catalog generation it was built from."""

    def __init__(self, path: Path, tokenizer: Tokenizer | None = None, k1: float = 0.8, b: float = 0.35) -> None:
        self.path = path
        self.tokenizer = tokenizer or Tokenizer()
        self.k1, self.b = k1, b  # low saturation and length normalisation: measured on real legal questions
        self._lock = threading.RLock()
        self._bm25 = None
        self.chunk_ids: list[str] = []
        self._set_doc_ids([])
        self.generation = -1

    def build(self, items: Iterable[tuple[str, str, str]], generation: int) -> None:
        """Index ``(chunk_id, doc_id, text)`` triples."""
        import bm25s

        items = list(items)
        with self._lock:
            self.chunk_ids = [cid for cid, _, _ in items]
            self._set_doc_ids([did for _, did, _ in items])
            if items:
                bm25 = bm25s.BM25(k1=self.k1, b=self.b)
                bm25.index([self.tokenizer(text) or ["\u2400"] for _, _, text in items], show_progress=False)
                self._bm25 = bm25
            else:
                self._bm25 = None
            self.generation = generation

    def _set_doc_ids(self, doc_ids: list[str]) -> None:
        """Each chunk's document, also as integer codes so a document mask is one vector operation."""
        self.doc_ids = list(doc_ids)
        self._doc_code = {d: i for i, d in enumerate(dict.fromkeys(doc_ids))}
        self._chunk_doc_codes = np.array([self._doc_code[d] for d in doc_ids], dtype=np.int32)

    def save(self) -> None:
        with self._lock:
            tmp = self.path.with_name(self.path.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            if self._bm25 is not None:
                self._bm25.save(str(tmp), show_progress=False)
            (tmp / "chunks.json").write_text(
                json.dumps(
                    {
                        "generation": self.generation,
                        "chunk_ids": self.chunk_ids,
                        "doc_ids": self.doc_ids,
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
            if (data.get("k1"), data.get("b")) != (self.k1, self.b):
                return False  # built with other parameters: rebuilt on the next refresh
            bm25 = bm25s.BM25.load(str(self.path), show_progress=False) if data["chunk_ids"] else None
        except (OSError, ValueError, KeyError):
            return False
        with self._lock:
            self._bm25 = bm25
            self.chunk_ids = data["chunk_ids"]
            self._set_doc_ids(data["doc_ids"])
            self.generation = int(data["generation"])
        return True

    def unaccented_ratio(self, query: str) -> float:
        """Share of query words known only in accent-folded form (Vietnamese typed without diacritics)."""
        with self._lock:
            if self._bm25 is None:
                return 0.0
            vocab = self._bm25.vocab_dict
            query_words = words(query)
            if not query_words:
                return 0.0
            folded_only = sum(1 for w in query_words if w not in vocab and "~" + fold_accents(w) in vocab)
            return folded_only / len(query_words)

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each token over the indexed chunks (unseen: the highest)."""
        with self._lock:
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
        with self._lock:
            if self._bm25 is None:
                return []
            vocab = self._bm25.vocab_dict
            tokens = [t for t in self.tokenizer(query) if t in vocab]
            if not tokens:
                return []
            scores = self._bm25.get_scores(tokens)
            if allowed_docs is not None and not self._doc_code.keys() <= allowed_docs:
                allowed = np.zeros(len(self._doc_code), dtype=bool)
                allowed[[self._doc_code[d] for d in allowed_docs if d in self._doc_code]] = True
                scores = np.where(allowed[self._chunk_doc_codes], scores, 0.0)
            k = min(k, len(scores))
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top])]
            return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]
