"""Peak memory of one photo pipeline on one file, in a process of its own (used by scripts/bench.py).

Prints the growth of the peak resident set while the pipeline runs once, in MB.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from bench_pipelines import PIPELINES  # noqa: E402


def high_water_kb() -> int:
    # VmHWM belongs to this program's memory map (getrusage's maxrss would carry the parent's peak
    # across fork and exec).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(name: str, path: str) -> None:
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from what is in use now
    before = high_water_kb()
    PIPELINES[name](data)
    print(f"{(high_water_kb() - before) / 1024:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
