"""Ask: what the sources say about a question, claim by claim.

The claims closest to the question (by meaning and shared terms, as
``match.py`` pairs claims) are judged against its proposition by the judge
``claims build`` uses: a claim that agrees with the proposition says *yes*, one
that conflicts with it says *no*, anything else is *unclear*. The judge runs at
its calibration prior: a claim against a proposition is the NLI setting it was
calibrated on, not the mostly unrelated pairs of a news corpus.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..index import embed, match
from ..judging import registry
from ..text import features, lexicon, quantities

STANCES = {"agree": "yes", "conflict": "no", "related": "unclear"}
# STTS tags of the words a noun phrase is made of: articles, adjectives, nouns,
# names, possessives, numbers, indefinite and demonstrative determiners.
NOUN_PHRASE = ("ART", "ADJ", "NN", "NE", "PPOS", "CARD", "PIAT", "PDAT")
LIMIT = 10  # claims judged per question
# A user's question is asked of more: it is what a reader came for, and a
# claim left out of its answers is one no click can settle (issue 44: the
# developers' stories' answering claims ranked 11th to 20th by closeness;
# issue 46: every claim above the question's floor, ``Scale.question``, within
# this budget of stance reads a question; 20 left three of riesa-protest's
# claims on the blow unread, 40 reads all but one: stances right before any
# click, munich-demo 12 -> 13 of 16, riesa-protest 14 -> 15 of 20, the seeds
# 5 -> 4 of 16, one more claim read and read wrong).
USER_LIMIT = 40
# A claim that counts what the proposition counts (``quantities.compare``)
# answers it by its value: read with this score, and asked before the others
# when its similarity reaches this floor ("Die Polizei nannte eine
# Teilnehmerzahl 10.000 Demonstrierenden" is further from "rund 15.000
# Menschen protestierten" than many a claim about the protest).
NUMBERS_SCORE = 0.9
NUMBERS_FLOOR = 0.25
# A claim that names what the proposition says of its subject (its
# predicate: "trug eine Warnweste", "von einem Polizisten geschlagen") answers
# it far more often than one that names only the subject ("Nguyen"), however
# close the two are by meaning: the share of the predicate's terms a claim
# names (``Answer.about``) adds this much to its relevance, and the review
# queue asks first about the claims that name the most of it (issue 44).
PREDICATE_WEIGHT = 0.2
# The stance model reads "about the same thing" as a weak yes or no (issue
# 46): a claim that names nothing of the predicate is an answer only where
# the model is this sure of its side (``gate``). Measured: the seeds' stances
# before any click 4 -> 8 of 16, the developers' stories unchanged;
# Wahl-O-Mat's held-out answers: ``benchmarks/stance_answers.py --gate``.
# So is a claim that names nothing of the proposition's subject, where the
# subject names anything: Kellogg's "Europäer am Tisch ... nicht sein
# würden" is no answer to "Kellogg spielt weiterhin eine wichtige Rolle",
# though it names peace talks (the seeds 8 -> 10 of 16 before any click,
# riesa-protest 16 -> 17 of 20, munich-demo unchanged: docs/quality.md).
NAMELESS_SURE = 0.5
# On a proposition that counts ("Haben rund 15.000 Menschen protestiert?"), a
# claim that counts nothing comparable names nothing of it (``counted``), and
# its side stands only from this P: the lowest from which the model's sides on
# Wahl-O-Mat's held-out theses that count, against justifications without a
# comparable number, are right 0.85 of the time (``benchmarks/stance_answers.py
# --counting``, its ``sure_from``; 417 rows). The model shipped since issue 46
# (all layers, three epochs): 0.47 right below P 0.5, 0.57 at 0.5-0.7, 0.70 at
# 0.7-0.8, 0.74 at 0.80-0.82 and 0.91 from 0.82: sure from 0.81. (The one
# before: 0.88 from 0.8, sure from 0.73; 0.8 was chosen as all seven such
# sides on the developers' stories, P 0.53-0.76, were wrong.)
COUNTLESS_SURE = 0.81


def gate(stance: str, score: float, about: float, sure: float = NAMELESS_SURE, subject: bool = True) -> bool:
    """Whether a stance model's side stands: a yes or no on a claim that names
    none of the proposition's predicate (``about`` 0) or none of its subject
    (``subject`` False) stands from ``sure`` (``NAMELESS_SURE``;
    ``COUNTLESS_SURE`` where the proposition counts)."""
    return stance not in ("yes", "no") or (about > 0 and subject) or score >= sure


def names_subject(claim: features.Features, subject: dict[str, str]) -> bool:
    """Whether a claim (as the stance model reads it) names something of the
    proposition's subject (``about``, strict terms), or the subject names nothing."""
    return not subject or bool(claim.strict_content & subject.keys())


@dataclass(frozen=True)
class Answer:
    claim_id: int
    article_id: int
    source: str
    title: str
    speaker: str | None
    speaker_kind: str | None
    text: str
    stance: str  # yes | no | unclear
    score: float
    similarity: float
    reason: str
    judge: str = "signals"  # the judge that gave the stance
    lean: float | None = None  # the stance model's P(yes) - P(no) (None: another judge)
    about: float | None = None  # the share of the proposition's predicate terms the claim names
    relevance: float | None = None  # how relevant to the proposition (what the answers are chosen by)


def proposition(question: str) -> str:
    """The statement a yes/no question asks about. The judge weighs words,
    negations and meaning, not word order, so the question's own words do."""
    return question.strip().rstrip("?").strip() + "."


def ask(build, question: str, statement: str | None = None, limit: int = LIMIT, query: np.ndarray | None = None, loaded=None) -> list[Answer]:
    """The ``limit`` claims of ``build.store`` most relevant to ``question``,
    each with a stance given by ``build.stance_judge``; a claim the judge
    could not judge is left out. ``build``: a ``context.Build`` (its store,
    settings' model, encoder, stance judge and the features known).
    ``query``: the statement's vector when known (a proposed point is a
    claim's content); ``loaded``: the claims to answer from, as
    ``Store.load`` gives them, when read already (default: all)."""
    statement = statement or proposition(question)
    store, known = build.store, build.features
    claims = store.load(build.settings.model) if loaded is None else loaded
    if not len(claims):
        return []
    if query is None:
        [query] = embed.encode(build.encoder(), [statement])
    # One similarity per distinct content (one vector: ``splitting.encode_once``):
    # a matrix product can round a row's dot product differently by where the
    # row sits, and a claim repeated word for word in two articles must tie.
    first: dict[str, int] = {}
    row_of = np.array([first.setdefault(c, k) for k, c in enumerate(claims.contents)])
    firsts = np.array(sorted(first.values()))
    similarity = (claims.vectors[firsts] @ query)[np.searchsorted(firsts, row_of)]
    # What a claim asserts (its content, without the reporting frame) is what answers.
    refs = [match.ClaimRef(id_, 0, None, features.stored_terms(content, terms, known)) for id_, content, terms in zip(claims.ids, claims.contents, claims.terms)]
    # The question's terms are in the vocabulary too: its row is unit length over
    # all of them, so a claim's relevance does not depend on which other claims
    # are read (a build that derives some stories answers from only some).
    asked = known[statement].content
    vocabulary = features.vocabulary_of([*((content, ref.terms) for content, ref in zip(claims.contents, refs)), (statement, asked)])
    claim_matrix = match.term_matrix(refs, vocabulary)
    question_matrix = match.term_matrix([match.ClaimRef(0, 0, None, asked)], vocabulary)
    overlap = (claim_matrix @ question_matrix.T).toarray().ravel()
    named = naming(statement, [ref.terms for ref in refs], known)
    relevance = np.where(similarity >= build.settings.scale.question, match.score(similarity, overlap) + PREDICATE_WEIGHT * named, -1.0)
    read_as = list(claims.contents)
    if getattr(build.stance_judge, "spec", None) == "stance":
        if build.previous is None:
            build.previous = store.previous_claims()
        relevance, read_as = _with_what_they_answer(build.previous, claims, relevance)
    # Ties go to the claim first by article path and position (``Store.claim_order``),
    # not by id: which claim answers does not depend on which build stored which article.
    order = store.claim_order() if build.order is None else build.order
    ranks = np.array([order.get(id_, id_) for id_ in claims.ids])
    by_number = _by_number(statement, read_as, similarity)
    if by_number:
        # A number said of a day before the event is what was expected then:
        # the days are read of the claims that count, not of every claim.
        earlier = store.said_before_the_event([(claims.ids[k], int(claims.article_ids[k]), claims.contents[k]) for k in by_number])
        for k in by_number:
            if claims.ids[k] in earlier:
                by_number[k] = quantities.compare(statement, read_as[k], earlier=True)
    for k in by_number:
        relevance[k] = 2.0 + relevance[k]  # ahead of every claim that does not count the same
    top = [int(k) for k in np.lexsort((ranks, -relevance))[:limit] if relevance[k] > 0]
    counts = bool(quantities.quantities(statement))
    named = counted(statement, named, by_number)
    verdicts = registry.judge_claims(build.stance_judge, [
        registry.ClaimPair(read_as[k], statement, float(similarity[k]), claims.speakers[k]) for k in top
    ], registry.Knowledge(vocabulary, known))
    shown = store.claims_shown([claims.ids[k] for k in top])
    subject, predicate = about(statement, known)
    answers = []
    for k, v in zip(top, verdicts):
        if v is None:
            continue  # a model judge could not judge it: no answer yet
        stance, reason, score = STANCES[v.relation], v.reason, v.score
        if k in by_number:
            stance, reason, score = by_number[k].stance, by_number[k].reason, NUMBERS_SCORE
        if v.judge == "stance" and k not in by_number and not gate(
            stance, score, float(named[k]), COUNTLESS_SURE if counts else NAMELESS_SURE, names_subject(known[read_as[k]], subject)
        ):
            # (On a proposition that counts, "counts nothing": the queue asks
            # about it after the claims that may answer, ``views._MAY_ANSWER``.)
            stance, reason = "unclear", f"{'counts' if counts else 'names'} nothing of what is asked: {reason}"
        # The pair judges' words do not read whether a claim is about the proposition.
        missing = None if v.judge == "stance" or k in by_number else _not_about(known[claims.contents[k]], subject, predicate)
        if missing and stance != "unclear":
            # Agreeing or conflicting with words the proposition does not turn on
            # is no answer: "Europeans insisted on taking part" against "the
            # Europeans will sit at the table".
            stance, reason = "unclear", f"not about {missing}: {reason}"
        row = shown[claims.ids[k]]
        answers.append(
            Answer(
                claim_id=claims.ids[k], article_id=row["article_id"], source=row["source"], title=row["title"],
                speaker=row["speaker"], speaker_kind=row["speaker_kind"], text=row["text"], stance=stance,
                score=score, similarity=round(float(similarity[k]), 4), reason=reason, judge=v.judge, lean=_lean(v.reason),
                about=round(float(named[k]), 3), relevance=round(float(relevance[k]), 4),
            )
        )
    return answers


def counted(statement: str, named: np.ndarray, by_number) -> np.ndarray:
    """``named`` where the proposition counts: a claim that counts nothing
    comparable (not in ``by_number``) names nothing of a proposition whose
    point is its count ("Haben rund 15.000 Menschen protestiert?": "Ein
    Abgeordneter stürzt bei Protesten" names the protest, not how many), so
    the stance model's side on it stands only where the model is sure
    (``gate``) and the review queue asks about it after the claims that may
    answer. The claims chosen to answer do not change (``relevance``)."""
    if not quantities.quantities(statement):
        return named
    return np.array([value if k in by_number else 0.0 for k, value in enumerate(named)])


def _by_number(statement: str, contents: list[str], similarity: np.ndarray) -> dict[int, "quantities.Verdict"]:
    """The claims that answer the proposition's number by their own value
    (row -> verdict): they count the same thing, and are not far from it."""
    if not quantities.quantities(statement):
        return {}
    out = {}
    for k, content in enumerate(contents):
        if similarity[k] >= NUMBERS_FLOOR:
            verdict = quantities.compare(statement, content)
            if verdict is not None:
                out[k] = verdict
    return out


def _with_what_they_answer(previous: dict[int, int], claims, relevance: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A claim that points back ("Das ist völlig falsch", "Er bestreitet die
    Vorwürfe": ``propositions.points_back``) is read with the claim before it
    in its article: as relevant as that one, and its stance read on both."""
    from ..text.propositions import points_back

    row_of = {id_: k for k, id_ in enumerate(claims.ids)}
    relevance = relevance.copy()
    read_as = list(claims.contents)
    for k, id_ in enumerate(claims.ids):
        j = row_of.get(previous.get(id_, -1))
        if j is None or not points_back(claims.contents[k]):
            continue
        relevance[k] = max(relevance[k], relevance[j])
        read_as[k] = f"{claims.contents[j]} {claims.contents[k]}"
    return relevance, read_as


def _lean(reason: str) -> float | None:
    from ..judging.stance_judge import probabilities

    p = probabilities(reason)
    return None if p is None else round(p[0] - p[1], 3)


def about(statement: str, known: features.FeatureMap | None = None, strict: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """The proposition's subject and predicate: what the words before its
    finite verb name, and what the words after it name (strict terms, see
    ``features.Features.strict``, each with the word that names it; or, not
    ``strict``, content terms as ``claims.terms`` stores them)."""
    f = (features.FeatureMap() if known is None else known)[statement]
    in_subject = _subject_positions(statement)
    subject: dict[str, str] = {}
    predicate: dict[str, str] = {}
    for k, (keys, lemma) in enumerate(zip(f.strict if strict else f.keys, f.sequence)):
        side = subject if k in in_subject else predicate
        for key in keys:
            side.setdefault(key, lemma)
    return subject, predicate


@lru_cache(maxsize=512)
def _subject_positions(statement: str) -> frozenset[int]:
    """The positions of the words that name the proposition's subject: those
    before its finite verb (tagged once per proposition: ``about`` reads it
    for the subject and, not strict, for the predicate ``naming`` weighs)."""
    from ..text.propositions import tags

    found = tags(lexicon.clauses(statement)[0])
    finite = next((k for k, tag in enumerate(found) if "FIN" in tag), None)
    if finite is None:
        return frozenset()
    if finite == 0:
        # A question ("Spielt Kellogg weiterhin ...?"): the subject is the noun
        # phrase right after the verb.
        end = 1
        while end < len(found) and found[end].startswith(NOUN_PHRASE):
            end += 1
        return frozenset(range(1, end))
    return frozenset(range(finite))


def naming(statement: str, terms: list[frozenset[str]], known: features.FeatureMap | None = None) -> np.ndarray:
    """How much of the proposition's predicate (``about``, as content terms)
    each claim of ``terms`` (its content terms) names: ``Answer.about``."""
    predicate = frozenset(about(statement, known, strict=False)[1])
    return np.array([len(t & predicate) / len(predicate) if predicate else 0.0 for t in terms])


def _not_about(claim: features.Features, subject: dict[str, str], predicate: dict[str, str]) -> str | None:
    """What of the proposition a claim does not name, or None: it must name
    something of the subject (when the subject names anything) and of the predicate."""
    names = claim.strict_content
    missing = [side for side in (subject, predicate) if side and not names & side.keys()]
    if not missing:
        return None
    return " and ".join("/".join(dict.fromkeys(side.values())) for side in missing)


def load_questions(path) -> list[dict]:
    """Questions from a YAML list of ``{id, question, proposition?}``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except yaml.YAMLError as e:
        # One line naming the file and the line, not the parser's own message.
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ValueError(f"{where}: not valid YAML ({getattr(e, 'problem', None) or 'cannot be parsed'}); "
                         "expected a list of questions, each with an id and a question") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text; expected a YAML list of questions") from None
    if not isinstance(data, list) or not all(isinstance(q, dict) and q.get("id") and q.get("question") for q in data):
        raise ValueError(f"{path}: expected a list of questions, each with an id and a question")
    return data


def answer_all(build, loaded=None, scope=None) -> tuple[list[tuple], int]:
    """Each of the settings' questions (``settings.Question``), the
    proposition it asks about and its answers from the ``loaded`` claims, as
    ``store.Store.replace_answers`` takes them; and how many claims a model
    judge left unjudged (not among the answers).

    With a ``scope`` (``scope.Scope``) that is not the whole db, ``loaded``
    holds the claims of its stories only, and each question is answered from
    them and from the stories that answered it before (``_candidates``)."""
    answered, unjudged = [], 0
    before = build.store.user_answers() if scope is not None and not scope.whole else None
    counts = json.loads(build.store.config().get("answered") or "{}")
    for q in build.settings.questions:
        statement = q.proposition or proposition(q.question)
        claims, whole = (loaded, False) if before is None else _candidates(build, loaded, scope, before.get(q.id, []), counts.get(q.id, USER_LIMIT))
        if whole:
            # The order and previous claims of every story, for this question only.
            kept = build.order, build.previous
            build.order = build.previous = None
            try:
                answers = ask(build, q.question, statement, limit=USER_LIMIT, loaded=claims)
            finally:
                build.order, build.previous = kept
        else:
            answers = ask(build, q.question, statement, limit=USER_LIMIT, loaded=claims)
        answered.append((q, statement, answers))
        unjudged += getattr(build.stance_judge, "unjudged", 0)
    return answered, unjudged


def _candidates(build, loaded, scope, before: list[tuple[int, int]], answered: int, limit: int = USER_LIMIT):
    """The claims a question's answers are the best ``limit`` of, when only
    ``scope``'s stories are derived again; and whether they are every claim.

    A claim of an untouched story that did not answer before ranked below all
    that did (its relevance and its order among them are unchanged), so it
    can answer now only if fewer than ``limit`` of the earlier answers are
    left outside the touched stories while there were ``limit`` of them (with
    fewer, every relevant claim answered). Then the question is asked of every
    claim. ``answered``: how many answers the last build stored; more than
    ``before`` are left when an answering claim's article was removed since."""
    kept_stories = {story for _, story in before if story not in scope.stories}
    kept = sum(story not in scope.stories for _, story in before)
    if (len(before) >= limit or len(before) < answered) and kept < limit:
        # It had ``limit`` answers (or more than it has now: an answering claim's
        # article was removed), and fewer are left outside the touched stories.
        return build.store.load(build.settings.model), True
    if not kept_stories:
        return loaded, False
    more = build.store.load(build.settings.model, stories=kept_stories)
    return merged(loaded, more), False


def merged(a, b):
    """Two ``store.Loaded`` of claims of different stories, as one in id order."""
    from ..store import Loaded

    ids = a.ids + b.ids
    rows = sorted(range(len(ids)), key=ids.__getitem__)
    both = Loaded(ids, np.concatenate([a.article_ids, b.article_ids]), a.speakers + b.speakers, a.contents + b.contents,
                  a.terms + b.terms, np.concatenate([a.vectors.reshape(len(a), -1), b.vectors]) if len(a) else b.vectors)
    return both.subset(rows)


def as_dict(answer: Answer) -> dict:
    return asdict(answer)
