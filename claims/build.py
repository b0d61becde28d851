"""Build: run the pipeline stages over article files into a SQLite db.

Incremental: an article whose text is already stored is skipped, an article
whose file changed replaces its old version, and only claims added since the
last build are matched (against everything). Each article is written in one
transaction, so an interrupted build leaves whole articles or none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from . import ask, embed, ingest, judge, match, signals, store, stories, terms, topics
from .split import split

Echo = Callable[[str], None]


@dataclass
class BuildResult:
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    problems: list[ingest.Problem] = field(default_factory=list)
    articles: int = 0
    stories: int = 0
    claims: int = 0
    pairs: int = 0
    conflicts: int = 0
    agreements: int = 0
    topics: int = 0
    answers: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for benchmarks

    @property
    def read(self) -> int:
        return self.new + self.unchanged + self.replaced

    def summary(self) -> str:
        return (
            f"{self.articles} articles ({self.new} new, {self.replaced} changed, {self.unchanged} unchanged), {self.stories} stories, "
            f"{self.claims} claims, {self.pairs} pairs, {self.conflicts} conflicts, {self.agreements} agreements, {self.topics} topics"
        )


PARALLEL_MIN = 32  # articles from which splitting is worth a pool of processes


def split_article(article: ingest.Article):
    """Language, claims, skipped sentences, the features the judge reads of
    each claim, and how rare each content term is in the language. The claims'
    content terms are stored, so that matching later claims need not
    lemmatise these again."""
    language = detect_language(article.text)
    claims, skipped = split(article.text, article.title, language)
    # What a claim asserts, without its reporting frame, is what is matched and judged.
    features = [signals.features(claim.content) for claim in claims]
    rarities: dict[str, float] = {}
    for claim, f in zip(claims, features):
        claim.terms = " ".join(sorted(f.content))
        for key, lemma in f.shown.items():
            rarities.setdefault(key, terms.rarity(lemma))
    return language, claims, skipped, features, rarities


def _split_all(articles: list[ingest.Article]):
    """Split articles, in one process per core when there are many: splitting
    (SoMaJo, in pure Python) costs two thirds of what the encoder does. All
    are split before any is embedded: splitting while embedding was slower on
    the benchmark, the processes fighting over 2 cores."""
    workers = min(os.cpu_count() or 1, len(articles) // PARALLEL_MIN)
    if workers < 2:
        return map(split_article, articles)
    from concurrent.futures import ProcessPoolExecutor

    # Loaded once here, the forked workers share the splitter's, the tagger's
    # and the frequency lists' data instead of each loading its own.
    split_article(ingest.Article(path="-", title="-", source="-", text="Er sagte, es regne, aber sie sagte, es schneie."))

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(split_article, articles, chunksize=8))


def detect_language(text: str) -> str | None:
    import py3langid

    language, _ = py3langid.classify(text[:5000])
    return language


def build(
    paths: Iterable[str],
    db_path: str,
    model_name: str = embed.DEFAULT_MODEL,
    threshold: float = match.DEFAULT_THRESHOLD,
    semantic_threshold: float = match.SEMANTIC_THRESHOLD,
    progress: bool = False,
    echo: Echo = lambda message: None,
    nli_model: str | None = None,
    conflict_prior: float = judge.NEWS_PRIOR,
    questions: list[dict] | None = None,
    story: str | None = None,
) -> BuildResult:
    """``questions`` (see ``ask.load_questions``) are answered from the claims
    and stored in ``questions`` and ``answers``. ``story``: the story of every
    article read that does not name its own (JSONL ``story``); without it
    stories are found (``stories.py``)."""
    judge_ = judge.Judge(nli_model=nli_model, prior=conflict_prior, matched=True)
    db = store.open_db(db_path)
    result = BuildResult()
    timed = functools.partial(_timed, result.seconds)
    with timed("ingest"):
        articles, problems = ingest.read(paths)
        for article in articles:
            article.story = article.story or story
        todo: list[tuple[ingest.Article, int | None]] = []  # (article, id of the version it replaces)
        for article in articles:
            same_text = db.execute(
                """select a.id, a.path, s.label from articles a left join stories s on s.id = a.story_id and s.given = 1
                   where a.sha256 = ?""",
                [article.sha256],
            ).fetchone()
            if same_text and same_text[1] == article.path and article.story in (None, same_text[2]):
                result.unchanged += 1
            elif same_text and same_text[1] == article.path:
                # Named into another story: built again there, its pairs with it.
                todo.append((article, same_text[0]))
            elif same_text:
                problems.append(ingest.Problem(article.path, f"same text as {same_text[1]}, already stored, skipped as duplicate"))
            else:
                old = db.execute("select id from articles where path = ?", [article.path]).fetchone()
                todo.append((article, old[0] if old else None))
    result.problems = problems
    for problem in problems:
        echo(str(problem))

    split_articles = []
    with timed("split"):
        split_all = zip(todo, _split_all([a for a, _ in todo]))
        for (article, old_id), (language, claims, skipped, features, rarities) in _progress(split_all, len(todo), "split", progress):
            # Lemmatised in a worker: not again when judging.
            signals.remember((c.content, f) for c, f in zip(claims, features))
            if not claims:
                problem = ingest.Problem(article.path, "no claims found in the text", "warning")
                problems.append(problem)
                echo(str(problem))
            split_articles.append((article, old_id, claims, skipped, language, rarities))

    model_changed = store.get_config(db, "model") not in (None, model_name)
    texts = [c.content for _, _, claims, _, _, _ in split_articles for c in claims]
    model = None
    with timed("embed"):
        if texts or model_changed:
            model = embed.load_model(model_name)
        vectors = _encode_once(db, model, model_name, texts, progress) if texts else None

    offset = 0
    with timed("write"):
        for article, old_id, claims, skipped, language, rarities in split_articles:
            with db.atomic():
                if old_id is not None:
                    _delete_article(db, old_id)
                    result.replaced += 1
                else:
                    result.new += 1
                _insert_article(db, article, language, claims, skipped, vectors[offset : offset + len(claims)] if claims else None, model_name)
                db["term_weights"].insert_all(({"term": k, "weight": round(w, 3)} for k, w in rarities.items()), pk="term", ignore=True)
            offset += len(claims)

    with db.atomic():
        _log(db, problems)
        if model_changed:
            with timed("embed"):
                _embed_missing(db, model, model_name, progress)
        # Nothing new, nothing changed: what is stored is what a rebuild would store.
        unplaced = db.execute("select count(*) from articles where story_id is null").fetchone()[0]
        if todo or unplaced or model_changed or not _settled(db, model_name, (threshold, semantic_threshold), judge_, questions):
            since = _match(db, model_name, (threshold, semantic_threshold), judge_, model_changed, timed, echo if progress else None)
            with timed("topics"):
                # A replaced article took claims out of topics: cluster again.
                topics.write_topics(db, 0 if result.replaced else since)
            # Stances are given by the build's judge (``ask.judge_for`` reads its NLI model here).
            store.set_config(db, nli_model=nli_model or "")
            with timed("questions"):
                ask.write_answers(db, questions or [])
            store.set_config(db, questions=_questions_key(questions))

    result.articles = db["articles"].count
    result.stories = db["stories"].count
    result.topics = db["topics"].count
    result.answers = db["answers"].count
    result.claims = db["claims"].count
    result.pairs = db["claim_pairs"].count
    result.conflicts = db.execute("select count(*) from claim_pairs where relation = 'conflict'").fetchone()[0]
    result.agreements = db.execute("select count(*) from claim_pairs where relation = 'agree'").fetchone()[0]
    return result


def _delete_article(db, article_id: int) -> None:
    claim_ids = "select id from claims where article_id = ?"
    db.execute(f"delete from claim_pairs where claim_a in ({claim_ids}) or claim_b in ({claim_ids})", [article_id, article_id])
    db.execute(f"delete from embeddings where claim_id in ({claim_ids})", [article_id])
    db.execute(f"delete from claim_topics where claim_id in ({claim_ids})", [article_id])
    db.execute(f"delete from answers where claim_id in ({claim_ids})", [article_id])
    db.execute("delete from claims where article_id = ?", [article_id])
    db.execute("delete from skipped where article_id = ?", [article_id])
    db.execute("delete from articles where id = ?", [article_id])


def _insert_article(db, article, language, claims, skipped, vectors, model_name: str) -> None:
    alt_titles = [s.text for s in skipped if s.reason.startswith("other language")]
    article_id = db["articles"].insert(
        {
            "source": article.source, "title": article.title, "path": article.path,
            "url": article.url, "published": article.published, "language": language,
            "alt_titles": json.dumps(alt_titles, ensure_ascii=False) if alt_titles else None,
            "sha256": article.sha256, "text": article.text,
            # A story the user named; the others are found after all articles are in.
            "story_id": stories.given_story(db, article.story) if article.story else None,
        }
    ).last_pk
    db["claims"].insert_all(
        {
            "article_id": article_id, "position": c.position, "text": c.text, "start": c.start,
            "end": c.end, "speaker": c.speaker, "speaker_kind": c.speaker_kind, "cue": c.cue,
            "quote": c.quote, "negated": int(c.negated), "terms": c.terms, "content": c.content,
        }
        for c in claims
    )
    db["skipped"].insert_all(
        {"article_id": article_id, "text": s.text, "start": s.start, "end": s.end, "reason": s.reason}
        for s in skipped
    )
    if claims:
        ids = [row[0] for row in db.execute("select id from claims where article_id = ? order by position", [article_id])]
        _write_embeddings(db, ids, vectors, model_name)


def _encode_once(db, model, model_name: str, texts: list[str], progress: bool) -> np.ndarray:
    """Vectors of ``texts``, each distinct text encoded once, and a text stored
    before taking its stored vector (as llm's collections de-duplicate by
    content). A claim repeated word for word then has one vector, not two a
    hair apart from being encoded in other batches: which claims are nearest
    to which does not depend on what was encoded with them."""
    stored: dict[str, bytes] = {}
    if db["claims"].count:
        # Only the vectors of these texts leave SQLite, not every stored one.
        for content, vector in db.execute(
            """select coalesce(c.content, c.text), e.vector from claims c
               join embeddings e on e.claim_id = c.id and e.model = ?
               where coalesce(c.content, c.text) in (select value from json_each(?))""",
            [model_name, json.dumps(list(set(texts)), ensure_ascii=False)],
        ):
            stored.setdefault(content, vector)
    distinct = list(dict.fromkeys(t for t in texts if t not in stored))
    fresh = dict(zip(distinct, embed.encode(model, distinct, progress=progress))) if distinct else {}
    rows = [fresh[t] if t in fresh else embed.from_blob(stored[t]) for t in texts]
    return np.vstack(rows).astype(np.float32, copy=False)


def _write_embeddings(db, claim_ids, vectors, model_name: str) -> None:
    db["embeddings"].insert_all(
        {"claim_id": claim_id, "model": model_name, "vector": embed.to_blob(vector)}
        for claim_id, vector in zip(claim_ids, vectors)
    )


def _embed_missing(db, model, model_name: str, progress: bool) -> None:
    rows = db.execute(
        "select id, coalesce(content, text) from claims where id not in (select claim_id from embeddings where model = ?) order by id",
        [model_name],
    ).fetchall()
    if rows:
        vectors = _encode_once(db, model, model_name, [text for _, text in rows], progress)
        _write_embeddings(db, [claim_id for claim_id, _ in rows], vectors, model_name)


def _progress(items, total: int, stage: str, show: bool):
    if not show or total < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=stage, unit="article")


@contextlib.contextmanager
def _timed(seconds: dict[str, float], stage: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


def _questions_key(questions: list[dict] | None) -> str:
    return json.dumps(questions or [], sort_keys=True, ensure_ascii=False)


def _settled(db, model_name: str, thresholds: tuple[float, float], judge_: judge.Judge, questions) -> bool:
    """Whether the stored pairs, topics and answers were made with these settings."""
    wanted = {
        "model": model_name, "threshold": thresholds[0], "semantic_threshold": thresholds[1],
        "judge": judge_.name, "questions": _questions_key(questions),
    }
    return all(store.get_config(db, k) == str(v) for k, v in wanted.items())


def _match(db, model_name: str, thresholds: tuple[float, float], judge_: judge.Judge, rematch_all: bool, timed, echo: Echo | None = None) -> int:
    """Place new articles in stories, then match and judge, within each story,
    the claims added since the last match (all of them when a setting
    changed); the id of the last claim matched before, 0 for all. ``echo``
    hears what each stage is about to do, for a long build."""
    echo = echo or (lambda message: None)
    rows = db.execute(
        """select c.id, c.article_id, c.speaker, coalesce(c.content, c.text), e.vector, c.terms from claims c
           join embeddings e on e.claim_id = c.id and e.model = ? order by c.id""",
        [model_name],
    ).fetchall()
    content = {r[0]: r[3] for r in rows}
    speaker = {r[0]: r[2] for r in rows}
    # Shared terms count by how rare they are in the whole corpus.
    with timed("match"):
        claim_terms = [signals.stored_terms(r[3], r[5]) for r in rows]
        vocabulary = signals.vocabulary_of((r[3], t) for r, t in zip(rows, claim_terms))
        vectors = embed.from_blobs([r[4] for r in rows]) if rows else np.zeros((0, 1), dtype=np.float32)
    with timed("stories"):
        placed = stories.assign(
            db, np.array([r[1] for r in rows], dtype=np.int64), vectors, claim_terms, [r[3] for r in rows],
            dict(db.execute("select term, weight from term_weights")),
        )
        if placed:
            echo(f"placed {placed:,} articles in {db['stories'].count:,} stories")
    story = dict(db.execute("select id, story_id from articles"))
    settings = {"threshold": thresholds[0], "semantic_threshold": thresholds[1], "judge": judge_.name}
    settings_changed = any(store.get_config(db, k) not in (None, str(v)) for k, v in settings.items())
    if rematch_all or settings_changed:
        db.execute("delete from claim_pairs")
        matched_upto = 0
    else:
        matched_upto = int(store.get_config(db, "matched_upto", "0"))
    if rows:
        with timed("match"):
            refs = [match.ClaimRef(r[0], r[1], r[2], t, story[r[1]]) for r, t in zip(rows, claim_terms)]
            new = [k for k, ref in enumerate(refs) if ref.id > matched_upto]
            echo(f"matching {len(new):,} claims within their stories")
            pairs = match.match(
                [refs[k] for k in new], vectors[new], refs, vectors, thresholds[0], vocabulary, thresholds[1],
                corpus_terms=match.term_matrix(refs, vocabulary),
            )
        echo(f"judging {len(pairs):,} pairs")
        with timed("judge"):
            verdicts = judge_.judge_pairs(
                [(content[p.a], content[p.b], p.similarity) for p in pairs], [(speaker[p.a], speaker[p.b]) for p in pairs], vocabulary
            )
        with timed("write"):
            db["claim_pairs"].upsert_all(
                (
                    {
                        "claim_a": p.a, "claim_b": p.b, "similarity": p.similarity, "overlap": p.overlap,
                        "shared": ", ".join(v.shared) or None,
                        "relation": v.relation, "score": v.score, "reason": v.reason, "kind": v.kind,
                    }
                    for p, v in zip(pairs, verdicts)
                ),
                pk=("claim_a", "claim_b"),
            )
    top = db.execute("select max(id) from claims").fetchone()[0] or 0
    store.set_config(db, model=model_name, matched_upto=top, **settings)
    return matched_upto


def _log(db, problems: list[ingest.Problem]) -> None:
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    db["ingest_log"].insert_all(
        {"at": now, "path": p.path, "action": p.action, "message": p.message} for p in problems
    )
