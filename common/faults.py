"""Named points where a crash test can stop a process mid-work and kill it.

Off unless KARTE_FAULT_HOLD names the point: then the process writes the file KARTE_FAULT_FLAG
(so the test knows it got there) and waits to be killed. Nothing else happens at these points.
"""

import os
import threading
from pathlib import Path


def fault_point(name: str) -> None:
    if os.environ.get("KARTE_FAULT_HOLD") != name:
        return
    Path(os.environ["KARTE_FAULT_FLAG"]).write_text(str(os.getpid()))
    threading.Event().wait()
