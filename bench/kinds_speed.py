"""Reading speed per input kind: a web page or Word file against the PDF printed from it.

    python bench/kinds_speed.py [DIR ...]        (default: fixtures/)
    python bench/kinds_speed.py --print-real     (also the real pages of ../shared/reference/real-web,
                                                  printed to PDF by LibreOffice into a temporary folder)

Every <name>.html or <name>.docx with a <name>.pdf beside it is read both ways with
gongkai.read_report, best of 3 after a warm-up (jieba's dictionary loads once per
process). Printed: seconds per file for each, and how many times faster the source
reads than its print, per kind.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import gongkai

ROOT = Path(__file__).resolve().parents[1]
REAL_WEB = ROOT.parent / "shared" / "reference" / "real-web"
KINDS = {".html": "html", ".docx": "docx"}


def best_seconds(path: Path, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        gongkai.read_report(path)
        times.append(time.perf_counter() - started)
    return min(times)


def pairs(folder: Path) -> list[tuple[Path, Path]]:
    return [
        (source, source.with_suffix(".pdf"))
        for source in sorted(folder.iterdir())
        if source.suffix in KINDS and source.with_suffix(".pdf").exists()
    ]


def print_real(target: Path) -> list[tuple[Path, Path]]:
    """The real pages copied into `target` and printed to PDF beside them by LibreOffice."""
    soffice = shutil.which("soffice")
    if soffice is None or not REAL_WEB.exists():
        raise SystemExit("--print-real needs soffice on the PATH and ../shared/reference/real-web")
    pages = [Path(shutil.copy(page, target / page.name)) for page in sorted(REAL_WEB.glob("*.html"))]
    command = [soffice, f"-env:UserInstallation=file://{target}/profile", "--headless"]
    command += ["--infilter=HTML (StarWriter)", "--convert-to", "pdf", "--outdir", str(target)]
    subprocess.run([*command, *map(str, pages)], check=True, capture_output=True, timeout=600)
    return [(page, page.with_suffix(".pdf")) for page in pages]


def main(arguments: list[str]) -> int:
    real = "--print-real" in arguments
    folders = [Path(a) for a in arguments if a != "--print-real"] or ([] if real else [ROOT / "fixtures"])
    with tempfile.TemporaryDirectory(prefix="gongkai-speed-") as tmp:
        found = [pair for folder in folders for pair in pairs(folder)]
        if real:
            found += print_real(Path(tmp))
        if not found:
            raise SystemExit("no source with its PDF beside it")
        gongkai.read_report(found[0][0])  # warm-up
        by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
        print(f"{'file':<52} {'source s':>9} {'pdf s':>7} {'faster':>7}")
        for source, pdf in found:
            mine, printed = best_seconds(source), best_seconds(pdf)
            kind = ("real " if source.parent == Path(tmp) else "") + KINDS[source.suffix]
            by_kind[kind].append((mine, printed))
            print(f"{source.name[:52]:<52} {mine:>9.3f} {printed:>7.3f} {printed / mine:>6.1f}x")
    print()
    print(f"{'kind':<10} {'files':>5} {'source s/file':>14} {'pdf s/file':>11} {'faster (median)':>16}")
    for kind, times in sorted(by_kind.items()):
        mine = statistics.mean(t[0] for t in times)
        printed = statistics.mean(t[1] for t in times)
        ratio = statistics.median(t[1] / t[0] for t in times)
        print(f"{kind:<10} {len(times):>5} {mine:>14.3f} {printed:>11.3f} {ratio:>15.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
