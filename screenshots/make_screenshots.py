"""Write the README's screenshots: SVGs of the main states, from the snapshot tests' scenes.

Run from the repository root: `python screenshots/make_screenshots.py`
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scenes import SCENES, scene_app  # noqa: E402

SIZES = ((120, 40), (80, 24))  # the sizes the README speaks of


async def shoot(name: str, size: tuple[int, int], out_dir: Path) -> Path:
    scene = SCENES[name]
    app, run_before = scene_app(scene)
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        await pilot.pause()
        svg = app.export_screenshot(title=f"lwadmin-tui — {scene.caption}")
    path = out_dir / f"{name}-{size[0]}x{size[1]}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def main() -> None:
    # The scenes revoke keys of a fake organization: keep their audit records out of yours.
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="lwadmin-screenshots-")
    os.environ["XDG_CONFIG_HOME"] = os.environ["XDG_STATE_HOME"]
    out_dir = Path(__file__).resolve().parent
    for name in SCENES:
        for size in SIZES:
            print(await shoot(name, size, out_dir))


if __name__ == "__main__":
    asyncio.run(main())
