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
from assistant.ingest.identity import DOC_NUMBER, is_letterhead_line, normalize_doc_number
from assistant.ingest.structure import LEVEL_ARTICLE, line_heading
from assistant.tasks.facts import Fact, holds
from assistant.text import fold_accents, sentence_spans

# Function and question words (Vietnamese syllables, English and Bengali words) that carry no topic.
STOPWORDS = frozenset(
    """
à ạ ai anh bao bị bởi các cái cần cho chị chưa chứ có của cùng cũng đã đang đâu để đến đều đó
được gì hãy hay hả hoặc khi không là làm lâu lại lên mà mấy mình một này nào nếu người như nhé
nhiêu những nơi phải ra rằng rồi sao sẽ tại thế thì theo tôi trên trong từ và vào vẫn về vì với
xin ơi ở
a about an and any are as at be been by can could do does did for from had has have how i if in
into is it its many me much must my of often on or our please shall should tell that the their
there these this to under us was we what when where which who whom why will with would you your
আমি আমার আমাদের এই এবং ও কত কবে কখন কী কি কিভাবে কেন কে কোথায় কোন জন্য তার তাদের না হবে হয়
""".split()
)
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
    numbers: frozenset[str] = frozenset()  # document numbers the question names

    @classmethod
    def of(cls, question: str, lexical: LexicalIndex) -> QueryTerms:
        ws = words(question)
        content = [w for w in ws if w not in STOPWORDS]
        pairs = [f"{a}_{b}" for a, b in zip(ws, ws[1:]) if a not in STOPWORDS and b not in STOPWORDS]
        idf = lexical.idf([_lookup_form(t) for t in (*content, *pairs)])
        return cls(
            {t: idf[_lookup_form(t)] for t in content},
            {p: idf[_lookup_form(p)] for p in pairs},
            frozenset(_numbers(question)),
        )

    @property
    def empty(self) -> bool:
        return not self.unigrams

    def coverage(self, tokens: set[str], context: set[str] | frozenset[str] = frozenset()) -> float:
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


def _share(terms: dict[str, float], tokens: set[str], context: set[str] | frozenset[str]) -> float:
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
    score: float  # coverage discounted by the chunk's retrieval rank (and raised when it holds the fact asked)
    holds_fact: bool = True  # holds the kind of fact the question asks for (a date, an amount...)
    lead_in: tuple[int, int] | None = None  # the list's lead-in (``... sau đây:``) when it holds the fact for this item
    in_title: bool = False  # a line of the document's title (quoted only when the question asks what it is about)


def rank_prior(hit_rank: int) -> float:
    """Trust in a chunk by its retrieval rank: 1, 0.91, 0.83, ..."""
    return 1.0 / (1.0 + 0.1 * hit_rank)


def _is_structure_heading(line: str, language: str) -> bool:
    """A bare chapter/section/article heading such as ``Điều 5. Tài khoản người dùng`` (no sentence after it)."""
    heading = line_heading(line, language)
    return (
        heading is not None and heading.level <= LEVEL_ARTICLE and not line.rstrip().endswith((".", "!", "?", "…", "।"))
    )


# Letterhead lines: "Số 21-BC/ĐU", "*", "Hà Nội, ngày 22 tháng 4 năm 2025", "Thai Nguyen, 2 June 2025".
_LETTERHEAD = re.compile(
    r"^(?:\*+|(?:Số|So|No\.?)\s*[:.]?\s*\S+|[^,\n]{2,40},\s*(?:ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|\d{1,2}\s+\w+\s+\d{4}))\s*$",
    re.IGNORECASE,
)


def is_letterhead(line: str) -> bool:
    """Issuer, motto, number and place-date lines, written in capitals or in the fixed header forms."""
    letters = [c for c in line if c.isalpha()]
    return (
        (len(letters) >= 3 and all(c.isupper() for c in letters))
        or bool(_LETTERHEAD.match(line.strip()))
        or is_letterhead_line(line)
    )


def _squashed(text: str) -> str:
    return " ".join(words(fold_accents(text)))


FACT_BONUS = 1.3  # a sentence that holds the kind of fact asked for outranks one that only shares words
OTHER_DOCUMENT = 0.75  # a sentence about another document (it names one) when the question names its own


def _numbers(text: str) -> set[str]:
    return {normalize_doc_number(m.group(0)).upper() for m in DOC_NUMBER.finditer(text)}


def score_sentences(query: QueryTerms, hits: list[SearchHit], fact: Fact | None = None) -> list[Sentence]:
    """Every quotable sentence of ``hits``, scored; in retrieval order, then text order.

    Bare structure headings, letterhead lines and the title are context (half credit), never quoted - but
    when the question asks what a document is about (``fact`` subject), its title lines are the answer.
    """
    out: list[Sentence] = []
    asked_numbers = query.numbers
    for rank, hit in enumerate(hits):
        text = hit.chunk.text
        title = _squashed(hit.meta.title)
        quotable, context_lines = [], [hit.meta.doc_number or "", hit.meta.title, hit.chunk.heading]
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            in_title = bool(title) and _squashed(sentence) in title
            if fact is Fact.subject and in_title and not is_letterhead(sentence) and len(sentence.split()) > 2:
                quotable.append((start, end, sentence, True))
            elif _is_structure_heading(sentence, hit.meta.language) or is_letterhead(sentence) or in_title:
                context_lines.append(sentence)
            else:
                quotable.append((start, end, sentence, fact is not Fact.subject and holds(fact, sentence)))
        context = _token_set(" ".join(context_lines))
        lead: tuple[int, int, bool] | None = None  # the last sentence that introduces a list, and if it holds the fact
        for start, end, sentence, has_fact in quotable:
            coverage = query.coverage(_token_set(sentence), context)
            lead_in = None
            if _LIST_ITEM.match(sentence) and lead is not None:
                if not has_fact and lead[2]:  # "a) Sử dụng rượu bia..." under "2. Phạt tiền từ ... sau đây:"
                    has_fact, lead_in = True, (lead[0], lead[1])
            elif not sentence.rstrip().endswith(":"):
                lead = None
            if sentence.rstrip().endswith(":"):
                lead = (start, end, has_fact)
            bonus = FACT_BONUS if fact is not None and has_fact else 1.0
            if asked_numbers and (_numbers(sentence) - asked_numbers):
                bonus *= OTHER_DOCUMENT  # "Nghị định số 110/2004/NĐ-CP ... hết hiệu lực" when 30/2020 was asked
            out.append(
                Sentence(
                    rank,
                    start,
                    end,
                    sentence,
                    coverage,
                    coverage * rank_prior(rank) * bonus,
                    has_fact,
                    lead_in,
                    fact is Fact.subject and _squashed(sentence) in title,
                )
            )
    return out


_LIST_ITEM = re.compile(r"^\s*(?:\(?[a-zđ]\)|[-+•–]\s|\d{1,2}[.)]\s)")
