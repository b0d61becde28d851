"""Benchmark: splitting articles in one process, with the sentences' offsets
placed by ``claims/text/sentences.py`` against SoMaJo's own alignment.

    python benchmarks/bench_split.py [CORPUS] [--limit N] [--rounds 2]

CORPUS is the GNAD csv (default ``../shared/bench/gnad_articles.csv``) or a folder
of article files. Each round splits every article both ways, one after the other
(the machine is noisy: compare within a round), and prints one JSON line: CPU
seconds of each, the claims, and whether both found the same sentences.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from claims.inputs import ingest
from claims.text import sentences as found, split

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import DEFAULT_CORPUS, corpus_files  # noqa: E402


def somajo_offsets(text: str) -> list[tuple[int, int]]:
    """The sentences as SoMaJo aligns them itself (the code before sentences.py)."""
    spans = []
    for m in found.PARAGRAPH.finditer(text):
        if m.group().strip():
            for s in found._aligning_tokenizer().tokenize_text([m.group()]):
                if s:
                    spans.append((s[0].character_offset[0] + m.start(), s[-1].character_offset[1] + m.start()))
    return spans


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        files, _ = corpus_files(args.corpus, Path(workdir), args.limit)
        texts = [a.text for a in ingest.read([str(p) for p in files])[0]]
    split.split(texts[0]), somajo_offsets(texts[0])  # models and lists loaded before timing
    same = all(found.sentences(t) == somajo_offsets(t) for t in texts)
    for _ in range(args.rounds):
        report = {"articles": len(texts), "same_sentences": same}
        for name, way in (("placed", found.sentences), ("somajo_aligned", somajo_offsets)):
            split.sentences = way
            start = time.process_time()
            claims = sum(len(split.split(t)[0]) for t in texts)
            report[f"{name}_cpu_seconds"] = round(time.process_time() - start, 1)
            report["claims"] = claims
        split.sentences = found.sentences
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
