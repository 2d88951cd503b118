"""Lighthouse (npm, tools/lighthouse) on a page, with Debian's Chromium, as a phone: mobile preset,
simulated throttling. Returns the scores and what the page's images weighed.

    python scripts/bench_lighthouse.py URL [COOKIE]   # prints the summary of one run
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "lighthouse"
CLI = TOOL / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
ATTEMPTS = 3
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)


def install() -> None:
    """The tool's own packages, kept out of the app's (make run needs none of them)."""
    if not CLI.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL, check=True)


def run(url: str, cookie: str = "") -> dict:
    install()
    with tempfile.TemporaryDirectory(prefix="karte-lighthouse-") as folder:
        report = Path(folder) / "report.json"
        command = [
            "node", str(CLI), url, "--quiet", "--output=json", f"--output-path={report}",
            "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}",
        ]  # fmt: skip
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        env = {**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": folder}
        for attempt in range(ATTEMPTS):
            # Lighthouse now and then loses the trace of a load (NO_NAVSTART) and says to run it again.
            done = subprocess.run(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300
            )
            if done.returncode == 0:
                break
            if attempt == ATTEMPTS - 1:
                raise RuntimeError(f"Lighthouse failed on {url}: {done.stderr.decode()[-2000:]}")
        found = json.loads(report.read_text())
    audits = found["audits"]
    images = [
        (item["url"], item.get("transferSize") or 0)
        for item in audits["network-requests"]["details"]["items"]
        if item.get("resourceType") == "Image"
    ]
    return {
        "performance": round(found["categories"]["performance"]["score"] * 100),
        "accessibility": round(found["categories"]["accessibility"]["score"] * 100),
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "images": images,
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""), indent=2))
