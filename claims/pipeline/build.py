"""Build: the pipeline's steps from articles to stored, judged claims.

``Corpus.add`` (``corpus.py``) runs them: ``sort_out`` which articles are new or
changed, ``split_all`` them into claims, ``encode_once``, write them through the
store; then ``derive`` places new articles in stories, matches and judges the
new claims within their story, gathers topics and answers the questions.

Incremental: an article whose text is already stored is skipped, an article
whose file changed replaces its old version, and only claims added since the
last build are matched (against their stories). Each article is written in one
transaction, so an interrupted build leaves whole articles or none.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import ask
from ..index import embed, match, points, stories, topics
from ..inputs import ingest
from ..judging import judge, signals
from .. import settings as settings_
from ..text import terms
from ..text.split import split
from ..store import Store

Echo = Callable[[str], None]


@dataclass
class BuildResult:
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    removed: int = 0  # stored articles whose file is no longer there
    duplicates: list[str] = field(default_factory=list)  # paths read whose text another stored article has
    problems: list[ingest.Problem] = field(default_factory=list)
    articles: int = 0
    stories: int = 0
    claims: int = 0
    pairs: int = 0
    conflicts: int = 0
    agreements: int = 0
    topics: int = 0
    answers: int = 0
    unjudged: int = 0  # pairs and answers a model judge could not judge: the next build asks again
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for benchmarks

    @property
    def read(self) -> int:
        return self.new + self.unchanged + self.replaced

    def summary(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return (
            f"{self.articles} articles ({self.new} new, {self.replaced} changed, {self.unchanged} unchanged{removed}), {self.stories} stories, "
            f"{self.claims} claims, {self.pairs} pairs, {self.conflicts} conflicts, {self.agreements} agreements, {self.topics} topics"
        )

    def count(self, store: Store) -> "BuildResult":
        counts = store.counts()
        self.articles, self.stories, self.claims = counts["articles"], counts["stories"], counts["claims"]
        self.pairs, self.topics, self.answers = counts["claim_pairs"], counts["topics"], counts["answers"]
        self.conflicts, self.agreements = counts["conflict"], counts["agree"]
        return self

    def timed(self, stage: str):
        return _timed(self.seconds, stage)


@dataclass
class Split:
    """One article split into claims, ready to be stored."""

    article: ingest.Article
    replaces: int | None  # id of the stored version it replaces
    language: str | None
    claims: list
    skipped: list
    rarities: dict[str, float]  # how rare each content term's word is in the language


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


def split_all(articles: list[ingest.Article]):
    """``split_article`` of each, in one process per core when there are many:
    splitting (SoMaJo, in pure Python) costs two thirds of what the encoder
    does. All are split before any is embedded: splitting while embedding was
    slower on the benchmark, the processes fighting over 2 cores."""
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


def sort_out(store: Store, articles: list[ingest.Article], result: BuildResult, gone: set[int] = frozenset()) -> list[tuple[ingest.Article, int | None]]:
    """The articles to split and store, each with the id of the stored version
    it replaces; unchanged ones are counted, duplicates of a stored text become
    problems. ``gone``: ids of stored articles whose file is no longer there;
    the text of one of them under another path is that file renamed, and
    replaces it (its claims keep their vectors)."""
    todo, after = [], []
    with_text = store.articles_with_texts([a.sha256 for a in articles])
    at_path = store.articles_at([a.path for a in articles])
    # Stored versions this build replaces: their path has another text now.
    replaced = {at_path[a.path] for a in articles if a.path in at_path and with_text.get(a.sha256, (None,))[0] != at_path[a.path]}
    for article in articles:
        same_text = with_text.get(article.sha256)
        if same_text and same_text[1] == article.path and article.story in (None, same_text[2]):
            result.unchanged += 1
        elif same_text and same_text[1] == article.path:
            # Named into another story: built again there, its pairs with it.
            todo.append((article, same_text[0]))
        elif same_text and same_text[0] in gone:
            todo.append((article, same_text[0]))
        elif same_text and same_text[0] in replaced:
            # The old text of a file that changed, now under another path: a new
            # article, stored after the version it duplicates is gone.
            after.append((article, None))
        elif same_text:
            result.duplicates.append(article.path)
            result.problems.append(ingest.Problem(article.path, f"same text as {same_text[1]}, already stored, skipped as duplicate"))
        else:
            todo.append((article, at_path.get(article.path)))
    return todo + after


def encode_once(store: Store, model, model_name: str, texts: list[str], progress: bool = False) -> np.ndarray:
    """Vectors of ``texts``, each distinct text encoded once, and a text stored
    before taking its stored vector (as llm's collections de-duplicate by
    content). A claim repeated word for word then has one vector, not two a
    hair apart from being encoded in other batches: which claims are nearest
    to which does not depend on what was encoded with them."""
    stored = store.stored_vectors(model_name, texts) if store.db["claims"].count else {}
    distinct = list(dict.fromkeys(t for t in texts if t not in stored))
    fresh = dict(zip(distinct, embed.encode(model, distinct, progress=progress))) if distinct else {}
    rows = [fresh[t] if t in fresh else stored[t] for t in texts]
    return np.vstack(rows).astype(np.float32, copy=False)


def embed_missing(store: Store, model, model_name: str, progress: bool = False) -> None:
    """Vectors of ``model_name`` for the claims without one (after a change of model)."""
    rows = store.unembedded(model_name)
    if rows:
        vectors = encode_once(store, model, model_name, [text for _, text in rows], progress)
        store.add_embeddings([claim_id for claim_id, _ in rows], vectors, model_name)


def derive(
    store: Store, settings: settings_.Settings, judge_, stance_judge, result: BuildResult,
    known: signals.FeatureMap, model_loader: Callable, rematch_all: bool = True, echo: Echo | None = None,
    pairs_of: Callable | None = None,
) -> None:
    """What is made of the stored claims: stories, pairs and verdicts, topics,
    answers and proposed points, made again from all stored claims, so that
    they are what a fresh build of the same articles would make (a shared
    term's weight, a claim's nearest neighbours and a story's articles all
    change with what else is stored). Splitting and embedding, the costly
    stages, are what a build does only for new articles.

    In four steps: articles are grouped into stories (one transaction);
    pairs are matched and judged, and questions answered, with no transaction
    open, so that a model judge keeps each batch of verdicts it is given
    (``Store.cache_verdicts``) however the build ends; the pairs, topics and
    answers are written in one transaction; then the contested points of every
    story are proposed and answered, and written with the settings and the
    mark that the build is complete (``derived``). A build stopped before its
    end, or one that left a pair or an answer unjudged, leaves that mark unset,
    so the next build does it again. ``pairs_of``: what matches and judges,
    ``match_and_judge`` here, or on a cluster a task per story
    (``cluster.match_and_judge``). ``rematch_all`` is kept for callers; every
    derive matches everything."""
    echo = echo or (lambda message: None)
    key = settings.key(judge_.name)
    reviewed = store.review_mark()
    with store.atomic():
        corpus = _place(store, settings, result, known, echo)
    story_of = store.story_of()  # every article has its story now
    pairs, verdicts = (pairs_of or match_and_judge)(settings, corpus, 0, story_of, judge_, known, result, echo)
    unjudged = sum(v is None for v in verdicts)
    with result.timed("questions"):
        answered, left = ask.answer_all(store, settings.questions, stance_judge, settings.model, model_loader, known)
    unjudged += left
    with store.atomic():
        with result.timed("write"):
            store.clear_pairs()
            store.save_pairs(pairs, verdicts)
        store.replace_answers(answered)
        # The reader's word over the judge's, before topics count conflicts and points are proposed from them.
        store.apply_reviews()
        with result.timed("topics"):
            topics.write_topics(store, 0, known)
    touched = store.story_ids()
    with result.timed("points"):
        proposed, story_of_point, left = _points(store, settings, stance_judge, touched, known)
    result.unjudged = unjudged = unjudged + left
    with store.atomic():
        store.replace_points(touched, proposed, story_of_point)
        store.apply_reviews()
        # A review written while this build ran shows (applied just now), but
        # the points were proposed before it: the next build proposes them again.
        again = unjudged or store.review_mark() != reviewed
        # matched_upto: kept for the SQL of older versions' users; "derived" is what builds read.
        store.save_config(**key, matched_upto=store.last_claim(), derived="0" if again else "1", reviewed=reviewed)


def _points(store: Store, settings: settings_.Settings, stance_judge, stories_: list[int], known: signals.FeatureMap):
    """The contested points proposed for each of ``stories_`` (``points.py``),
    answered by the claims of their story: (question, proposition, answers)
    each, the story of each point, and how many answers a model judge left."""
    proposed, story_of_point, unjudged = [], {}, 0
    for story_id in stories_:
        conflicts = [points.Conflict(*row) for row in store.story_conflicts(story_id)]
        if not conflicts:
            continue
        stored = store.load(settings.model, [story_id])
        vector_of = dict(zip(stored.ids, stored.vectors))
        found = points.propose(conflicts, vector_of)
        for k, (statement, members) in enumerate(found, 1):
            question = settings_.Question(f"auto-{story_id}-{k}", points.question_for(statement), statement)
            answers = ask.ask(
                store, question.question, statement, judge_=stance_judge, model=settings.model, known=known,
                query=vector_of[points.asserting_side(members[0])], loaded=stored,
            )
            unjudged += getattr(stance_judge, "unjudged", 0)
            proposed.append((question, statement, answers))
            story_of_point[question.id] = story_id
    return proposed, story_of_point, unjudged


@dataclass
class Corpus:
    """The stored claims as matching reads them: their rows, the terms of
    each, the vocabulary and the claims x terms presence matrix."""

    claims: object  # store.Loaded
    term_lists: list[list[str]]
    vocabulary: terms.Vocabulary
    presence: object  # scipy.sparse.csr_matrix
    order: dict = field(default_factory=dict)  # claim id -> rank by article path and position (Store.claim_order)


def _place(store: Store, settings: settings_.Settings, result: BuildResult, known: signals.FeatureMap, echo: Echo) -> Corpus:
    """Load the stored claims and give each article without a story one."""
    with result.timed("load"):
        claims = store.load(settings.model)
    # Shared terms count by how rare they are in the whole corpus.
    with result.timed("match"):
        term_lists = [stored.split() if stored is not None else sorted(known[content].content) for content, stored in zip(claims.contents, claims.terms)]
        vocabulary, presence = terms.Vocabulary.index(claims.contents, term_lists)
    with result.timed("stories"):
        rarity = store.term_weights()
        rarities = np.array([rarity.get(term, terms.UNKNOWN_RARITY) for term in vocabulary.columns] or [terms.UNKNOWN_RARITY])
        placed = stories.assign(store, claims.article_ids, claims.vectors, presence, rarities, claims.contents)
        if placed:
            echo(f"placed {placed:,} articles in {store.db['stories'].count:,} stories")
    return Corpus(claims, term_lists, vocabulary, presence, store.claim_order())


def match_and_judge(
    settings: settings_.Settings, corpus: Corpus, since: int, story_of: dict[int, int], judge_, known: signals.FeatureMap,
    result: BuildResult, echo: Echo,
) -> tuple[list[match.Match], list]:
    """Pairs, within each story, of the claims after ``since`` (0: all of
    them), and the judge's verdict on each."""
    claims = corpus.claims
    if not len(claims):
        return [], []
    with result.timed("match"):
        story, new, rows = stories_to_match(corpus, since, story_of)
        refs = claim_refs(corpus, rows, story)
        position = {k: j for j, k in enumerate(rows.tolist())}
        echo(f"matching {len(new):,} claims within their stories")
        pairs = match.match(
            [refs[position[k]] for k in new.tolist()], claims.vectors[new], refs, claims.vectors[rows], settings.threshold, corpus.vocabulary,
            settings.semantic_threshold, corpus_terms=match.term_matrix(refs, corpus.vocabulary, corpus.presence[rows]),
        )
    echo(f"judging {len(pairs):,} pairs")
    with result.timed("judge"):
        return pairs, judge_matches(judge_, pairs, claims.ids, claims.contents, claims.speakers, corpus.vocabulary, known)


def stories_to_match(corpus: Corpus, since: int, story_of: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The story of each stored claim (-1: none), the rows of the claims after
    ``since``, and the rows of every claim in their stories: claims meet the
    claims of their story only, so these are all there is to match in."""
    story = np.array([story_of.get(a, -1) for a in corpus.claims.article_ids.tolist()])
    new = np.flatnonzero(np.asarray(corpus.claims.ids) > since)
    return story, new, np.flatnonzero(np.isin(story, np.unique(story[new])))


def claim_refs(corpus: Corpus, rows: np.ndarray, story: np.ndarray) -> list[match.ClaimRef]:
    claims = corpus.claims
    return [
        match.ClaimRef(
            claims.ids[k], int(claims.article_ids[k]), claims.speakers[k], frozenset(corpus.term_lists[k]), int(story[k]),
            corpus.order.get(claims.ids[k], claims.ids[k]),
        )
        for k in rows.tolist()
    ]


def judge_matches(judge_, pairs: list[match.Match], ids, contents, speakers, vocabulary, known: signals.FeatureMap) -> list:
    """The judge's verdict on each matched pair, from the claims' ``ids``,
    ``contents`` and ``speakers`` (in one order)."""
    row = {id_: k for k, id_ in enumerate(ids)}
    return judge_.judge_pairs(
        [(contents[row[p.a]], contents[row[p.b]], p.similarity) for p in pairs],
        [(speakers[row[p.a]], speakers[row[p.b]]) for p in pairs],
        vocabulary, known,
    )


def progress_bar(items, total: int, stage: str, show: bool):
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
