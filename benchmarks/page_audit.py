"""The page as older members meet it: Lighthouse scores, installability, and a throttled 3G connection.

    python -m benchmarks.page_audit [--data-dir artifacts/bench-page] [--lighthouse artifacts/node/node_modules/.bin/lighthouse]

Starts ``assistant serve`` (the sample corpus is ingested on the first start), then:

- **Lighthouse** (npm ``lighthouse``, install it once with ``npm install --prefix artifacts/node lighthouse@13``)
  driving Debian's Chromium on its mobile profile (simulated slow 4G, a mid-range phone): performance,
  accessibility, best practices and SEO scores, and the audits that failed. Lighthouse 12+ has no PWA
  category, so installability is asked of Chromium itself (``Page.getInstallabilityErrors``: none = installable).
- **3G** (Playwright + Chromium's network emulation: 400 kbit/s down and up, 400 ms round trip): the first visit
  (time to the page's ``load`` and bytes over the wire), a return visit (service worker and HTTP cache warm), and
  the time from tapping "Hỏi" to the answer on screen, for a few questions.

Prints JSON; exits 1 when accessibility or best practices score below 0.95 or the page is not installable.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT
from benchmarks.live_server import live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
THROTTLED_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
QUESTIONS = [
    "Mật khẩu phải có ít nhất bao nhiêu ký tự?",
    "Mất điện thoại thì phải báo chi ủy trong bao lâu?",
    "Chi bộ sinh hoạt thường kỳ mấy lần một tháng?",
]


def lighthouse(url: str, program: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        report_path = Path(tmp) / "report.json"
        subprocess.run(
            [
                str(program),
                url,
                f"--chrome-path={CHROMIUM}",
                "--chrome-flags=--headless=new --no-sandbox",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--output=json",
                f"--output-path={report_path}",
                "--quiet",
            ],
            check=True,
            timeout=300,
        )
        report = json.loads(report_path.read_text(encoding="utf-8"))
    scores = {name: category["score"] for name, category in report["categories"].items()}
    failed = sorted(
        audit_id
        for audit_id, audit in report["audits"].items()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    metrics = {
        key: round(report["audits"][key]["numericValue"])
        for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index")
    }
    return {"scores": scores, "metrics_ms": metrics, "failed_audits": failed}


def on_3g(url: str, key: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="page-audit-profile-") as profile:
        # A profile on disk, as on a phone: an incognito context can never install a web app.
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox"],
            viewport={"width": 360, "height": 740},
        )
        page = context.pages[0] if context.pages else context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received = {"bytes": 0}
        cdp.on(
            "Network.loadingFinished",
            lambda event: received.__setitem__("bytes", received["bytes"] + event["encodedDataLength"]),
        )
        cdp.send("Network.emulateNetworkConditions", THROTTLED_3G)

        def visit() -> tuple[float, int]:
            received["bytes"] = 0
            started = time.perf_counter()
            page.goto(url, wait_until="load")
            return round((time.perf_counter() - started) * 1000), received["bytes"]

        first_ms, first_bytes = visit()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.fill("#api-key", key)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#who:not(:empty)")
        return_ms, return_bytes = visit()
        installability = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        answers = []
        for question in QUESTIONS:
            page.fill("#question", question)
            started = time.perf_counter()
            page.click("#ask-form button[type=submit]")
            page.wait_for_selector(f"#answer p.hint:has-text('{question[:25]}')")
            answers.append(round((time.perf_counter() - started) * 1000))
        context.close()
    return {
        "profile": "400 kbit/s down and up, 400 ms RTT",
        "first_visit": {"load_ms": first_ms, "bytes": first_bytes},
        "return_visit": {"load_ms": return_ms, "bytes": return_bytes},
        "first_answer_ms": {"each": answers, "median": statistics.median(answers)},
        "installable": not installability,
        "installability_errors": installability,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(PROJECT_ROOT / "artifacts" / "bench-page"))
    parser.add_argument(
        "--lighthouse", default=str(PROJECT_ROOT / "artifacts" / "node" / "node_modules" / ".bin" / "lighthouse")
    )
    args = parser.parse_args()
    with live_server(Path(args.data_dir)) as server:
        report = {
            "lighthouse": lighthouse(server.base_url + "/", Path(args.lighthouse)),
            "network_3g": on_3g(server.base_url + "/", server.member_key),
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    scores = report["lighthouse"]["scores"]
    ok = scores["accessibility"] >= 0.95 and scores["best-practices"] >= 0.95 and report["network_3g"]["installable"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
