"""Write docs/screenshot.svg and docs/screenshot.png: the dashboard on sample_logs/.

    .venv/bin/python docs/screenshot.py        # needs rsvg-convert (apt package librsvg2-bin)

The screen is the one the snapshot test checks (tests/test_ui_snapshot.py): the sample
logs replayed through the real parser and state, a fixed clock, and a stand-in GPU sample
marked "simulated" (no machine here has a GPU).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_ui_snapshot import sample_app  # noqa: E402

SIZE = (200, 50)


async def capture() -> str:
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        app.pull()
        await pilot.pause()
        await pilot.pause()
        return app.export_screenshot(title="evalmon sample_logs/ --baseline 127")


def for_rsvg(svg: str) -> str:
    """librsvg collapses runs of no-break spaces that browsers keep; make them plain spaces
    it must preserve, so the PNG has the same columns as the SVG."""
    svg = re.sub(r"<svg ", '<svg xml:space="preserve" ', svg, count=1)
    return svg.replace("&#160;", " ")


def main() -> int:
    svg = asyncio.run(capture())
    docs = ROOT / "docs"
    (docs / "screenshot.svg").write_text(svg)
    rsvg = shutil.which("rsvg-convert")
    if rsvg is None:
        print("wrote docs/screenshot.svg; install librsvg2-bin for the PNG", file=sys.stderr)
        return 1
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False) as tmp:
        tmp.write(for_rsvg(svg))
    try:
        subprocess.run([rsvg, "-w", "2000", tmp.name, "-o", str(docs / "screenshot.png")],
                       check=True)
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    print("wrote docs/screenshot.svg and docs/screenshot.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
