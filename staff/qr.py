import segno
from django.utils.safestring import mark_safe


def qr_svgs(*payloads: str) -> list[str]:
    """QR codes as inline SVG, drawn at one version so that each module is the same size in each:
    shown side by side at the same width, neither code looks smaller (and so harder to scan)."""
    version = max(segno.make(payload, error="m", micro=False).version for payload in payloads)
    return [
        mark_safe(
            segno.make(payload, error="m", version=version).svg_inline(
                scale=6, border=3, title="", omitsize=True
            )
        )
        for payload in payloads
    ]
