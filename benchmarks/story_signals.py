"""What tells two reports of one event from two of different events: each
signal a story grouping could use, measured on pairs of articles whose event
a reader knows (issue 45, item 1: measure each signal before combining them).

    claims build ../shared/stories/munich-demo/articles.jsonl --db munich.db
    python benchmarks/story_signals.py munich.db [--apart articles.jsonl:8] [riesa.db ...]

A db's articles are one event but those named by ``--apart`` (path endings,
one event each: munich-demo's Deutschlandfunk report of a later
demonstration). Per pair of articles: the cosine of their claims' mean
vectors, the cosine of their rare terms (as ``index/stories.py`` weighs
them), the likeness stories group by now (their mean, before time), the share
of named entities they share (HanTa's ``NE`` tags: people, places,
organisations; Jaccard of lemmas) and the days between them. Prints one JSON
line per signal: its lowest value over pairs of one event, its highest over
pairs of two, and how many one-event pairs reach the current story cut-off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
from itertools import combinations

import numpy as np


def entities(text: str) -> frozenset[str]:
    from claims.text import lexicon
    from claims.text.propositions import tags

    found = set()
    for line in text.splitlines():
        tokens, _ = lexicon.clauses(line) if line.strip() else ([], [])
        for token, tag in zip(tokens, tags(tokens)):
            if tag == "NE" and len(token) > 2:
                found.add(token.lower())
    return frozenset(found)


def article_rows(path: str):
    db = sqlite3.connect(path)
    rows = db.execute("select id, path, published, text from articles order by id").fetchall()
    model = db.execute("select value from config where key = 'model'").fetchone()[0]
    vectors: dict[int, list[np.ndarray]] = {}
    for article, blob in db.execute(
        "select c.article_id, e.vector from claims c join embeddings e on e.claim_id = c.id where e.model = ?", [model]
    ):
        vectors.setdefault(article, []).append(np.frombuffer(blob, dtype="<f4"))
    terms: dict[int, dict[str, float]] = {}
    for article, term, weight in db.execute("select article_id, term, weight from profile_terms"):
        terms.setdefault(article, {})[term] = weight
    db.close()
    out = []
    for id_, p, published, text in rows:
        mean = np.mean(vectors.get(id_, [np.zeros(1, dtype=np.float32)]), axis=0)
        mean = mean / (np.linalg.norm(mean) or 1.0)
        day = dt.date.fromisoformat(published[:10]) if published else None
        out.append({"id": id_, "path": p, "day": day, "mean": mean, "terms": terms.get(id_, {}), "entities": entities(text)})
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dbs", nargs="+")
    parser.add_argument("--apart", action="append", default=[], help="a path ending of an article of another event")
    args = parser.parse_args(argv)
    from claims.index.scales import Scale

    cut = Scale().story
    signals: dict[str, list[tuple[float, bool]]] = {k: [] for k in ("embedding", "terms", "likeness", "entities", "days")}
    for path in args.dbs:
        arts = article_rows(path)
        for a, b in combinations(arts, 2):
            apart_a = any(a["path"].endswith(x) for x in args.apart)
            apart_b = any(b["path"].endswith(x) for x in args.apart)
            same = not (apart_a or apart_b)
            emb = float(a["mean"] @ b["mean"]) if a["mean"].shape == b["mean"].shape else 0.0
            shared = set(a["terms"]) & set(b["terms"])
            terms = sum(a["terms"][t] * b["terms"][t] for t in shared)
            union = a["entities"] | b["entities"]
            ent = len(a["entities"] & b["entities"]) / len(union) if union else 0.0
            signals["embedding"].append((emb, same))
            signals["terms"].append((terms, same))
            signals["likeness"].append((0.5 * emb + 0.5 * terms, same))
            signals["entities"].append((ent, same))
            if a["day"] and b["day"]:
                signals["days"].append((float(abs((a["day"] - b["day"]).days)), same))
    for name, values in signals.items():
        one = [v for v, same in values if same]
        two = [v for v, same in values if not same]
        print(json.dumps({
            "signal": name, "pairs_one_event": len(one), "pairs_two_events": len(two),
            "one_event_min": round(min(one), 3) if one else None,
            "one_event_median": round(float(np.median(one)), 3) if one else None,
            "two_events_max": round(max(two), 3) if two else None,
            **({"one_event_reaching_story_cut": sum(v >= cut for v in one), "cut": cut} if name == "likeness" else {}),
        }))


if __name__ == "__main__":
    main()
