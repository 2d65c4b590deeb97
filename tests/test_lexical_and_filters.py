"""Tokenizer, BM25 index, reciprocal rank fusion, and metadata filters (no model needed)."""

from assistant.domain import AccessLevel, DocType, DocumentMeta
from assistant.filters import SearchFilter, vector_metadata
from assistant.index.lexical import LexicalIndex, Tokenizer
from assistant.retrieve import reciprocal_rank_fusion


def test_tokenizer_vietnamese_bengali_and_doc_numbers():
    tokens = Tokenizer()("Quy định 339-QĐ/TW về Sổ tay đảng viên")
    assert "339-qđ/tw" in tokens
    assert "đảng" in tokens and "đảng_viên" in tokens and "~dang" in tokens
    bn = Tokenizer()("প্রবীণ সদস্যদের জন্য")
    assert "প্রবীণ" in bn and "সদস্যদের" in bn  # vowel signs stay inside the word


def test_bm25_ranks_and_matches_queries_without_diacritics(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.build(
        [
            ("c1", "a", "Mật khẩu phải có ít nhất 8 ký tự"),
            ("c2", "a", "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần"),
            ("c3", "b", "Members vote electronically in the application"),
        ],
        generation=3,
    )
    assert index.search("mật khẩu", 2)[0][0] == "c1"
    assert index.search("sinh hoat thuong ky", 2)[0][0] == "c2"  # typed without accents
    assert index.search("vote", 2)[0][0] == "c3"
    assert index.search("mật khẩu", 2, allowed_docs={"b"}) == []
    assert index.unaccented_ratio("mat khau it nhat") > 0.5
    assert index.unaccented_ratio("mật khẩu") == 0 and index.unaccented_ratio("vote in the application") == 0
    index.save()
    loaded = LexicalIndex(tmp_path / "bm25")
    assert loaded.load() and loaded.generation == 3
    assert loaded.search("mật khẩu", 1)[0][0] == "c1"


def test_rrf_prefers_items_ranked_high_by_both():
    scores = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a", "d"]], k=60)
    assert max(scores, key=scores.get) in ("a", "b")
    assert scores["a"] == scores["b"] > scores["c"] > 0


def meta(org: str, level: str = "public", **kw) -> DocumentMeta:
    return DocumentMeta(doc_id=kw.pop("doc_id", "x"), org_unit=org, access_level=AccessLevel(level), **kw)


def _where_matches(where, md) -> bool:
    """A tiny evaluator of Chroma's where syntax, to check to_where() agrees with matches()."""
    if "$and" in where:
        return all(_where_matches(w, md) for w in where["$and"])
    if "$or" in where:
        return any(_where_matches(w, md) for w in where["$or"])
    ((key, cond),) = where.items()
    value = md[key]
    if not isinstance(cond, dict):
        return value == cond
    ((op, arg),) = cond.items()
    return {
        "$in": lambda: value in arg,
        "$gte": lambda: value >= arg,
        "$lte": lambda: value <= arg,
        "$ne": lambda: value != arg,
        "$eq": lambda: value == arg,
    }[op]()


def test_filter_where_clause_and_post_check_agree():
    docs = [
        meta("tw"),
        meta(""),
        meta("tw/tinh-a"),
        meta("tw/tinh-a/phuong-b"),
        meta("tw/tinh-a/phuong-b/chi-bo-3", "internal"),
        meta("tw/tinh-a/phuong-c/chi-bo-1", "internal"),
        meta("tw/tinh-a/phuong-b", "confidential", doc_type="notice", issued_date="2026-01-20"),
        meta("tw/tinh-a/phuong-bb"),
    ]
    filters = [
        SearchFilter(viewer_org_unit="tw/tinh-a/phuong-b/chi-bo-3"),
        SearchFilter(viewer_org_unit="tw/tinh-a/phuong-b", access_levels=SearchFilter.clearance(AccessLevel.internal)),
        SearchFilter(org_unit_prefix="tw/tinh-a/phuong-b"),
        SearchFilter(doc_types={DocType.notice}, date_from="2026-01-01", date_to="2026-12-31"),
        SearchFilter(),
    ]
    for flt in filters:
        where = flt.to_where()
        for m in docs:
            expected = flt.matches(m)
            got = True if where is None else _where_matches(where, vector_metadata(m, "v"))
            assert got == expected, (flt, m.org_unit)


def test_viewer_sees_up_and_down_the_tree_but_not_sideways():
    cell = SearchFilter(viewer_org_unit="tw/tinh-a/phuong-b/chi-bo-3")
    assert cell.matches(meta("tw")) and cell.matches(meta("tw/tinh-a/phuong-b"))
    assert not cell.matches(meta("tw/tinh-a/phuong-c/chi-bo-1"))
    assert not cell.matches(meta("tw/tinh-a/phuong-b/chi-bo-4"))
    ward = SearchFilter(viewer_org_unit="tw/tinh-a/phuong-b")
    assert ward.matches(meta("tw/tinh-a/phuong-b/chi-bo-4"))
    assert not ward.matches(meta("tw/tinh-a/phuong-bb"))  # a prefix of the name is not a subtree
    assert not SearchFilter(access_levels=SearchFilter.clearance(AccessLevel.internal)).matches(
        meta("tw", "confidential")
    )


def test_bm25_document_mask_survives_save_and_load(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.build(
        [
            ("a1", "doc-a", "mật khẩu tám ký tự"),
            ("b1", "doc-b", "mật khẩu đổi ba tháng"),
            ("c1", "doc-c", "chi bộ họp mỗi tháng"),
        ],
        generation=3,
    )
    assert {cid for cid, _ in index.search("mật khẩu", 5, {"doc-b"})} == {"b1"}
    assert {cid for cid, _ in index.search("mật khẩu", 5, {"doc-a", "doc-b", "doc-c"})} == {"a1", "b1"}
    # as many allowed ids as indexed documents, but one of them unknown: the mask must still apply
    assert {cid for cid, _ in index.search("mật khẩu", 5, {"doc-a", "doc-x", "doc-c"})} == {"a1"}
    assert index.search("mật khẩu", 5, set()) == []
    index.save()
    reloaded = LexicalIndex(tmp_path / "bm25")
    assert reloaded.load() and reloaded.generation == 3
    assert {cid for cid, _ in reloaded.search("mật khẩu", 5, {"doc-b"})} == {"b1"}
    assert reloaded.idf(["mật"])["mật"] < reloaded.idf(["router"])["router"]  # unseen words weigh most
