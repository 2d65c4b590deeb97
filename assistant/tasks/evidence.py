"""Evidence scoring: how much of a question a sentence of a retrieved chunk covers.

A question's content words are weighted by their inverse document frequency over the index, so
rare words ("mật khẩu", "router") count more than common ones ("đảng viên"). A word matches a
sentence when the sentence has it, or, for a word typed without diacritics, its accent-folded form.
Consecutive word pairs add credit when the pair also occurs (Vietnamese words are mostly two
syllables). A word found only in the chunk's context (document number, title, heading path)
earns half credit. Unknown words keep the highest weight, so a question about something the
documents never mention scores low: that is what abstention relies on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain import SearchHit
from assistant.index.lexical import LexicalIndex, Tokenizer, words
from assistant.ingest.structure import LEVEL_ARTICLE, line_heading
from assistant.text import fold_accents, sentence_spans

# Function and question words (Vietnamese syllables, English and Bengali words) that carry no topic.
STOPWORDS = frozenset("""
à ạ ai anh bao bị bởi các cái cần cho chị chưa chứ có của cùng cũng đã đang đâu để đến đều đó
được gì hãy hay hả hoặc khi không là làm lâu lại lên mà mấy mình một này nào nếu người như nhé
nhiêu những nơi phải ra rằng rồi sao sẽ tại thế thì theo tôi trên trong từ và vào vẫn về vì với
xin ơi ở
a about an and any are as at be been by can could do does did for from had has have how i if in
into is it its many me much must my of often on or our please shall should tell that the their
there these this to under us was we what when where which who whom why will with would you your
আমি আমার আমাদের এই এবং ও কত কবে কখন কী কি কিভাবে কেন কে কোথায় কোন জন্য তার তাদের না হবে হয়
""".split())
CONTEXT_CREDIT = 0.5  # a word found only in the document number, title or heading path
BIGRAM_SHARE = 0.4  # share of the score given to consecutive word pairs, when the question has any


_TOKENIZE = Tokenizer()  # the BM25 tokens: words, word pairs and their accent-folded forms


def _token_set(text: str) -> set[str]:
    return set(_TOKENIZE(text))


@dataclass(frozen=True)
class QueryTerms:
    """A question's content words and word pairs, with their weights."""

    unigrams: dict[str, float]
    bigrams: dict[str, float]

    @classmethod
    def of(cls, question: str, lexical: LexicalIndex) -> "QueryTerms":
        ws = words(question)
        content = [w for w in ws if w not in STOPWORDS]
        pairs = [f"{a}_{b}" for a, b in zip(ws, ws[1:]) if a not in STOPWORDS and b not in STOPWORDS]
        idf = lexical.idf([_lookup_form(t) for t in (*content, *pairs)])
        return cls({t: idf[_lookup_form(t)] for t in content}, {p: idf[_lookup_form(p)] for p in pairs})

    @property
    def empty(self) -> bool:
        return not self.unigrams

    def coverage(self, tokens: set[str], context: set[str] = frozenset()) -> float:
        """Weighted share (0..1) of the question's words and word pairs found in ``tokens``."""
        if self.empty:
            return 0.0
        score = _share(self.unigrams, tokens, context)
        if self.bigrams:
            score = (1 - BIGRAM_SHARE) * score + BIGRAM_SHARE * _share(self.bigrams, tokens, context)
        return score


def _lookup_form(term: str) -> str:
    """Words typed without diacritics are looked up (and matched) in their folded form."""
    return "~" + term if fold_accents(term) == term else term


def _share(terms: dict[str, float], tokens: set[str], context: set[str]) -> float:
    total = sum(terms.values()) or 1.0
    got = 0.0
    for term, weight in terms.items():
        form = _lookup_form(term)
        if term in tokens or form in tokens:
            got += weight
        elif term in context or form in context:
            got += CONTEXT_CREDIT * weight
    return got / total


@dataclass
class Sentence:
    """One sentence (or list line) of a retrieved chunk, scored against the question."""

    hit_rank: int  # 0-based rank of its chunk in the retrieval result
    start: int  # offsets inside the chunk text
    end: int
    text: str
    coverage: float
    score: float  # coverage discounted by the chunk's retrieval rank


def rank_prior(hit_rank: int) -> float:
    """Trust in a chunk by its retrieval rank: 1, 0.91, 0.83, ..."""
    return 1.0 / (1.0 + 0.1 * hit_rank)


def _is_structure_heading(line: str, language: str) -> bool:
    """A bare chapter/section/article heading such as ``Điều 5. Tài khoản người dùng`` (no sentence after it)."""
    heading = line_heading(line, language)
    return heading is not None and heading.level <= LEVEL_ARTICLE and not line.rstrip().endswith((".", "!", "?", "…", "।"))


# Letterhead lines: "Số 21-BC/ĐU", "*", "Hà Nội, ngày 22 tháng 4 năm 2025", "Thai Nguyen, 2 June 2025".
_LETTERHEAD = re.compile(
    r"^(?:\*+|(?:Số|So|No\.?)\s*[:.]?\s*\S+|[^,\n]{2,40},\s*(?:ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|\d{1,2}\s+\w+\s+\d{4}))\s*$", re.IGNORECASE)


def is_letterhead(line: str) -> bool:
    """Issuer, motto, number and place-date lines, written in capitals or in the fixed header forms."""
    letters = [c for c in line if c.isalpha()]
    return (len(letters) >= 3 and all(c.isupper() for c in letters)) or bool(_LETTERHEAD.match(line.strip()))


def _squashed(text: str) -> str:
    return " ".join(words(fold_accents(text)))


def score_sentences(query: QueryTerms, hits: list[SearchHit]) -> list[Sentence]:
    """Every quotable sentence of ``hits``, scored; in retrieval order, then text order.

    Bare structure headings, letterhead lines and the title are context (half credit), never quoted.
    """
    out: list[Sentence] = []
    for rank, hit in enumerate(hits):
        text = hit.chunk.text
        title = _squashed(hit.meta.title)
        quotable, context_lines = [], [hit.meta.doc_number or "", hit.meta.title, hit.chunk.heading]
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if (_is_structure_heading(sentence, hit.meta.language) or is_letterhead(sentence)
                    or (title and _squashed(sentence) in title)):
                context_lines.append(sentence)
            else:
                quotable.append((start, end, sentence))
        context = _token_set(" ".join(context_lines))
        for start, end, sentence in quotable:
            coverage = query.coverage(_token_set(sentence), context)
            out.append(Sentence(rank, start, end, sentence, coverage, coverage * rank_prior(rank)))
    return out
