"""Write docs/demo-1.png ... docs/demo-4.png: `evalmon demo` as a newcomer sees it.

    .venv/bin/python docs/screencast.py [--size 120x36]   # needs tmux and rsvg-convert

The real thing, not a mock-up: `evalmon demo` runs in a private tmux server at a common
terminal size, and at each step of its story the dashboard's own Screenshot (the command
palette: Ctrl-P, "Screenshot") saves an SVG, which rsvg-convert turns into a PNG. The steps
are waited for on the screen, with deadlines:

1. attempt 1 at batch 256: the client's progress, the server's engine calls;
2. the OOM and the relaunch at batch 128, with lm-eval's cached requests reused;
3. the finished run with its results;
4. after `q`: the run comparison the demo prints (the terminal's text, drawn by Rich).

No key is pressed before step 4 other than the palette's, which draws nothing that stays.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DEADLINE_S = 240.0


class Tmux:
    def __init__(self, command: list[str], cwd: Path, width: int, height: int) -> None:
        self.socket = f"evalmon-screencast-{uuid.uuid4().hex[:8]}"
        self.base = ["tmux", "-L", self.socket, "-f", "/dev/null"]
        subprocess.run([*self.base, "new-session", "-d", "-s", "idle"], check=True)
        subprocess.run([*self.base, "set-option", "-g", "remain-on-exit", "on"], check=True)
        subprocess.run(
            [*self.base, "new-session", "-d", "-x", str(width), "-y", str(height), "-s", "demo",
             "-c", str(cwd), "env", "-u", "COLUMNS", "-u", "LINES", "TERM=xterm-256color",
             *command],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", "demo"],
                              capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "demo", *keys], check=True)

    def dead(self) -> bool:
        out = subprocess.run([*self.base, "display", "-p", "-t", "demo", "#{pane_dead}"],
                             capture_output=True, text=True).stdout
        return out.strip() == "1"

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)

    def wait_for(self, check: Callable[[str], bool], what: str) -> str:
        end = time.monotonic() + DEADLINE_S
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)  # poll interval; the deadline decides
        raise SystemExit(f"screencast: timed out waiting for {what}; the screen was:\n{screen}")


def for_rsvg(svg: str) -> str:
    """librsvg collapses runs of no-break spaces that browsers keep (see screenshot.py)."""
    svg = re.sub(r"<svg ", '<svg xml:space="preserve" ', svg, count=1)
    return svg.replace("&#160;", " ")


def to_png(svg: str, png: Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False) as tmp:
        tmp.write(for_rsvg(svg))
    try:
        subprocess.run(["rsvg-convert", "-w", "1600", tmp.name, "-o", str(png)], check=True)
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def screenshot(tmux: Tmux, folder: Path, png: Path) -> None:
    """The dashboard's own Screenshot, through the command palette, into ``folder``."""
    before = set(folder.glob("*.svg"))
    tmux.keys("C-p")
    tmux.wait_for(lambda s: "Search for commands" in s, "the command palette")
    tmux.keys("Screenshot")
    tmux.wait_for(lambda s: "Save an SVG" in s, "the Screenshot command")
    tmux.keys("Enter")
    end = time.monotonic() + 30
    while time.monotonic() < end:
        new = set(folder.glob("*.svg")) - before
        if new:
            svg = new.pop()
            time.sleep(0.2)  # the file is written in one call; let it close
            to_png(svg.read_text(), png)
            print(f"wrote {png.relative_to(ROOT)}")
            return
        time.sleep(0.1)
    raise SystemExit("screencast: the Screenshot command saved nothing")


def terminal_png(text: str, png: Path, width: int, title: str) -> None:
    """Plain terminal text (what the demo printed) drawn as the dashboard's SVGs are."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open("/dev/null", "w"),  # noqa: SIM115
                      force_terminal=True, color_system="truecolor")
    console.print(text.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
    to_png(console.export_svg(title=title), png)
    print(f"wrote {png.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="120x36", help="terminal size, COLUMNSxROWS")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))
    for tool in ("tmux", "rsvg-convert"):
        if shutil.which(tool) is None:
            print(f"screencast: {tool} is needed (apt packages tmux, librsvg2-bin)",
                  file=sys.stderr)
            return 2
    evalmon = Path(sys.executable).with_name("evalmon")
    with tempfile.TemporaryDirectory(prefix="evalmon-screencast-") as tmp:
        work = Path(tmp)
        shots = work / "shots"
        shots.mkdir()
        tmux = Tmux([str(evalmon), "demo", "--dir", str(work / "demo")], shots, width, height)
        try:
            # the now line: run 1's requests under way (a rate, some of its work done)
            tmux.wait_for(lambda s: "attempt 1/4 running" in s
                          and re.search(r"run 1 running .*req/s.*[1-9]\d*% done", s) is not None,
                          "attempt 1's requests")
            screenshot(tmux, shots, DOCS / "demo-1.png")
            tmux.wait_for(lambda s: "relaunched at 128" in s and "cached" in s,
                          "the relaunch at 128 reusing the cache")
            screenshot(tmux, shots, DOCS / "demo-2.png")
            tmux.wait_for(lambda s: "succeeded" in s and "results" in s and "demo_arith" in s,
                          "the finished run and its results")
            screenshot(tmux, shots, DOCS / "demo-3.png")
            tmux.keys("q")
            screen = tmux.wait_for(lambda s: "Try it yourself" in s and tmux.dead(),
                                   "the comparison printed after q")
            text = screen[screen.find("evalmon demo: the run comparison"):]
            text = text.split("Pane is dead")[0].replace(str(work / "demo"), "./evalmon-demo")
            terminal_png(text, DOCS / "demo-4.png", width, "evalmon demo")
        finally:
            tmux.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
