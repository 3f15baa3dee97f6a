"""Make a batch of N inputs by copying the fixtures, the samples and the bad inputs (in /tmp by default).

    python bench/make_batch.py 1000 /tmp/gongkai-batch

One copy in ten sits under an awkward name (spaces, Chinese, quotes), and every
good report appears more than once, so that the batch has duplicates to report.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODD_NAMES = ["报告 {i}.pdf", "a 'quoted' name {i}.pdf", "-dash-{i}.pdf", "sub dir/深 层/{i}.pdf"]


def make_batch(count: int, folder: Path) -> list[Path]:
    sources = sorted((ROOT / "fixtures").glob("*.pdf")) + sorted((ROOT / "samples").glob("*.pdf"))
    sources += sorted(p for p in (ROOT / "fixtures" / "bad").iterdir() if p.is_file())
    if folder.exists():
        shutil.rmtree(folder)
    made = []
    for i in range(count):
        source = sources[i % len(sources)]
        odd = i % 10 == 9
        name = ODD_NAMES[(i // 10) % len(ODD_NAMES)].format(i=i) if odd else f"{i:05d}-{source.name}"
        if odd:  # keep the kind that the extension tells
            name = name.removesuffix(".pdf") + source.suffix
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        made.append(target)
    return made


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    folder = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/gongkai-batch")
    print(f"{len(make_batch(count, folder))} files in {folder}")
