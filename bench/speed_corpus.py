"""The corpus of bench/speed.py: generated reports, cached; replicas for the scale batches."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_CACHE = ROOT / "bench" / ".corpus"
GENERATOR = ROOT / "fixtures" / "generate.py"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Corpus:
    folder: Path
    paths: list[Path]
    origin: str


def build_corpus(count: int, seed: int) -> Corpus:
    """`fixtures/generate.py --corpus` with `count` and `seed`, cached under bench/.corpus/.

    The cache is keyed by count, seed and a hash of the generator's sources.
    """
    sources = sorted(GENERATOR.parent.glob("*.py"))
    stamp = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:10]
    folder = CORPUS_CACHE / f"generated-{count}-seed{seed}-{stamp}"
    complete = folder / ".complete"
    if not complete.exists():
        for stale in CORPUS_CACHE.glob(f"generated-{count}-seed{seed}-*"):  # older generators' and replicas
            shutil.rmtree(stale)
        progress(f"generating {count} reports into {folder.relative_to(ROOT)} ...")
        command = [sys.executable, str(GENERATOR), "--corpus", str(folder), "--count", str(count)]
        subprocess.run([*command, "--seed", str(seed)], check=True, cwd=ROOT, stdout=sys.stderr)
        complete.touch()
    origin = f"fixtures/generate.py --corpus --count {count} --seed {seed} (cached in {folder.name})"
    return Corpus(folder, sorted(folder.rglob("*.pdf")), origin)


def replicate(sources: list[Path], folder: Path, count: int) -> list[Path]:
    """`count` symlinks to `sources`, round robin, named <source>-<copy>.pdf; sorted by name."""
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    for index in range(count):
        source = sources[index % len(sources)]
        link = folder / f"{source.stem}-{index // len(sources):05d}{source.suffix}"
        if not link.is_symlink():
            link.symlink_to(source.resolve())
        links.append(link)
    return sorted(links)


def scale_batch(corpus: Corpus, size: int) -> Path:
    """A folder of `size` files, `corpus` replicated by symlink, read into the page cache.

    gongkai tells inputs apart by path, so the repeats are read like new files.
    """
    folder = CORPUS_CACHE / f"{corpus.folder.name}-x{size}"
    warm_page_cache(replicate(corpus.paths, folder, size))
    return folder


def spread_subset(paths: list[Path], count: int) -> list[Path]:
    """`count` paths spread evenly over sorted `paths`, so that a subset covers every layout."""
    if count >= len(paths):
        return paths
    return [paths[index * len(paths) // count] for index in range(count)]


def page_count(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def warm_page_cache(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes()
