"""A built story held to a reader's gold (``../shared/stories/NAME/``): how many
of its stances are right, and which of its linked pairs are stored as what.

    claims build ../shared/stories/munich-demo/articles.jsonl --db munich.db \\
        --questions ../shared/stories/munich-demo/questions.yml
    python benchmarks/story_gold.py ../shared/stories/munich-demo munich.db [--json]

``stances.tsv``: a claim (a fragment of its text, in article ``file``) and the
sides a reader accepts; a claim that is not among a question's answers is
"absent", right only where the reader accepts it. ``gold.tsv``: pairs a
reader links (conflict, agree, or not-conflict: look-alikes); a pair counts as
what the ``conflicts`` or ``agreements`` view shows of its two claims, either
order (what a reader is shown: found pairs only).
Reads only the db and the gold; never run by ``make test`` (the story's texts
belong to their publishers).
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
from pathlib import Path


def claims_of(db: sqlite3.Connection, file: str, fragment: str) -> list[int]:
    """Claims of the article ``file`` (``articles.jsonl:N``) whose text has ``fragment``."""
    rows = db.execute(
        "select c.id, c.text from claims c join articles a on a.id = c.article_id where a.path like ?", [f"%{file}"]
    ).fetchall()
    squash = lambda s: " ".join(s.split()).lower()  # noqa: E731
    return [id_ for id_, text in rows if squash(fragment) in squash(text)] or [
        id_ for id_, text in rows if squash(text) in squash(fragment)
    ]


def read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def score(story: Path, db_path: Path) -> dict:
    db = sqlite3.connect(db_path)
    stances, right, found = [], 0, 0
    for row in read_tsv(story / "stances.tsv"):
        ids = claims_of(db, row["file"], row["claim"])
        got = [s for (s,) in db.execute(
            "select stance from answers where question_id = ? and claim_id in (select value from json_each(?))",
            [row["question"], json.dumps(ids)])]
        stance = got[0] if got else "absent"
        accepted = row["accept"].split("|")
        ok = stance in accepted
        right += ok
        found += bool(ids)
        stances.append({"question": row["question"], "claim": row["claim"][:60], "accept": row["accept"], "stored": stance, "right": ok})
    pairs = []
    counts = {"conflict": [0, 0], "agree": [0, 0], "not-conflict": [0, 0]}
    for row in read_tsv(story / "gold.tsv"):
        a, b = claims_of(db, row["file_a"], row["a"]), claims_of(db, row["file_b"], row["b"])
        # What a reader is shown: the conflicts and agreements views (found pairs only, since issue 44).
        relations = [r for (r,) in db.execute(
            """select relation from (select 'conflict' as relation, claim_a_id, claim_b_id from conflicts
                                     union all select 'agree', claim_a_id, claim_b_id from agreements)
               where (claim_a_id in (select value from json_each(:a)) and claim_b_id in (select value from json_each(:b)))
               or (claim_a_id in (select value from json_each(:b)) and claim_b_id in (select value from json_each(:a)))""",
            {"a": json.dumps(a), "b": json.dumps(b)})]
        stored = "conflict" if "conflict" in relations else "agree" if "agree" in relations else "not shown"
        relation = row["relation"]
        ok = stored != "conflict" if relation == "not-conflict" else stored == relation
        counts[relation][0] += ok
        counts[relation][1] += 1
        pairs.append({"id": row["id"], "relation": relation, "stored": stored, "right": ok, "claims_found": bool(a and b)})
    stories = db.execute("select count(*) from stories").fetchone()[0]
    db.close()  # before a build opens the db with another SQLite library (pysqlite3)
    return {
        "story": story.name, "stories": stories,
        "stances_right": right, "stances": len(stances), "stance_claims_found": found,
        "conflicts_stored": counts["conflict"][0], "conflicts": counts["conflict"][1],
        "agreements_stored": counts["agree"][0], "agreements": counts["agree"][1],
        "lookalikes_not_conflict": counts["not-conflict"][0], "lookalikes": counts["not-conflict"][1],
        "stance_rows": stances, "pair_rows": pairs,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("story", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON line of the counts, without the rows")
    args = parser.parse_args(argv)
    result = score(args.story, args.db)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if not k.endswith("_rows")}))
        return
    for row in result["stance_rows"]:
        print(f"{'ok ' if row['right'] else 'BAD'} {row['question']:24} {row['stored']:8} accept {row['accept']:14} {row['claim']}")
    for row in result["pair_rows"]:
        print(f"{'ok ' if row['right'] else 'BAD'} {row['id']:4} {row['relation']:13} stored {row['stored']}")
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("_rows")}))


if __name__ == "__main__":
    main()
