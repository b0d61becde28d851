"""Ask: what the sources say about a question, claim by claim.

The claims closest to the question (by meaning and shared terms, as
``match.py`` pairs claims) are judged against its proposition by the judge
``claims build`` uses: a claim that agrees with the proposition says *yes*, one
that conflicts with it says *no*, anything else is *unclear*. The judge runs at
its calibration prior: a claim against a proposition is the NLI setting it was
calibrated on, not the mostly unrelated pairs of a news corpus.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import embed, judge, lexicon, match, signals, store

STANCES = {"agree": "yes", "conflict": "no", "related": "unclear"}
# STTS tags of the words a noun phrase is made of: articles, adjectives, nouns,
# names, possessives, numbers, indefinite and demonstrative determiners.
NOUN_PHRASE = ("ART", "ADJ", "NN", "NE", "PPOS", "CARD", "PIAT", "PDAT")
LIMIT = 10  # claims judged per question
MIN_SIMILARITY = 0.2  # below it a claim is off the question, whatever words it shares


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


def proposition(question: str) -> str:
    """The statement a yes/no question asks about. The judge weighs words,
    negations and meaning, not word order, so the question's own words do."""
    return question.strip().rstrip("?").strip() + "."


def judge_for(db) -> judge.Judge:
    """The judge the db's build used (its weights and ``--nli-model``), at the
    calibration prior: the judge the stored stances were given by."""
    return judge.Judge(nli_model=store.get_config(db, "nli_model") or None, prior=None)


def ask(db, question: str, statement: str | None = None, limit: int = LIMIT, judge_: judge.Judge | None = None) -> list[Answer]:
    """The ``limit`` claims most relevant to ``question``, each with a stance
    given by ``judge_`` (default: ``judge_for(db)``)."""
    statement = statement or proposition(question)
    model_name = store.get_config(db, "model") or embed.DEFAULT_MODEL
    rows = db.execute(
        """select c.id, c.article_id, a.source, a.title, c.speaker, c.speaker_kind, c.text, e.vector, c.terms,
                  coalesce(c.content, c.text)
           from claims c join articles a on a.id = c.article_id
           join embeddings e on e.claim_id = c.id and e.model = ? order by c.id""",
        [model_name],
    ).fetchall()
    if not rows:
        return []
    vectors = embed.from_blobs([r[7] for r in rows])
    [query] = embed.encode(embed.load_model(model_name), [statement])
    similarity = vectors @ query
    # What a claim asserts (its content, without the reporting frame) is what answers.
    refs = [match.ClaimRef(r[0], r[1], r[4], signals.stored_terms(r[9], r[8])) for r in rows]
    vocabulary = signals.vocabulary_of((r[9], ref.terms) for r, ref in zip(rows, refs))
    claim_matrix = match.term_matrix(refs, vocabulary)
    question_matrix = match.term_matrix([match.ClaimRef(0, 0, None, signals.features(statement).content)], vocabulary)
    overlap = (claim_matrix @ question_matrix.T).toarray().ravel()
    relevance = np.where(similarity >= MIN_SIMILARITY, similarity + match.LEXICAL_WEIGHT * overlap, -1.0)
    top = [int(k) for k in np.argsort(-relevance, kind="stable")[:limit] if relevance[k] > 0]
    verdicts = (judge_ or judge_for(db)).judge_pairs(
        [(rows[k][9], statement, float(similarity[k])) for k in top],
        [(rows[k][4], None) for k in top],
        vocabulary,
    )
    subject, predicate = about(statement)
    answers = []
    for k, v in zip(top, verdicts):
        stance, reason = STANCES[v.relation], v.reason
        missing = _not_about(signals.features(rows[k][9]), subject, predicate)
        if missing and stance != "unclear":
            # Agreeing or conflicting with words the proposition does not turn on
            # is no answer: "Europeans insisted on taking part" against "the
            # Europeans will sit at the table".
            stance, reason = "unclear", f"not about {missing}: {reason}"
        answers.append(
            Answer(
                claim_id=rows[k][0], article_id=rows[k][1], source=rows[k][2], title=rows[k][3],
                speaker=rows[k][4], speaker_kind=rows[k][5], text=rows[k][6], stance=stance,
                score=v.score, similarity=round(float(similarity[k]), 4), reason=reason,
            )
        )
    return answers


def about(statement: str) -> tuple[dict[str, str], dict[str, str]]:
    """The proposition's subject and predicate: what the words before its
    finite verb name, and what the words after it name (strict terms, see
    ``signals.Features.strict``, each with the word that names it)."""
    from .propositions import tags

    f = signals.features(statement)
    words = lexicon.clauses(statement)[0]
    found = tags(words)
    finite = next((k for k, tag in enumerate(found) if "FIN" in tag), None)
    if finite is None:
        in_subject = set()
    elif finite == 0:
        # A question ("Spielt Kellogg weiterhin ...?"): the subject is the noun
        # phrase right after the verb.
        end = 1
        while end < len(found) and found[end].startswith(NOUN_PHRASE):
            end += 1
        in_subject = set(range(1, end))
    else:
        in_subject = set(range(finite))
    subject: dict[str, str] = {}
    predicate: dict[str, str] = {}
    for k, (keys, lemma) in enumerate(zip(f.strict, f.sequence)):
        side = subject if k in in_subject else predicate
        for key in keys:
            side.setdefault(key, lemma)
    return subject, predicate


def _not_about(claim: signals.Features, subject: dict[str, str], predicate: dict[str, str]) -> str | None:
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

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(data, list) or not all(isinstance(q, dict) and q.get("id") and q.get("question") for q in data):
        raise ValueError(f"{path}: expected a list of questions, each with an id and a question")
    return data


def write_answers(db, questions: list[dict], judge_: judge.Judge | None = None) -> int:
    """Replace ``questions`` and ``answers`` with the answers to ``questions``,
    given by ``judge_`` (default: ``judge_for(db)``); the number of answers."""
    judge_ = judge_ or judge_for(db)
    db.execute("delete from answers")
    db.execute("delete from questions")
    count = 0
    for q in questions:
        statement = q.get("proposition") or proposition(q["question"])
        db["questions"].insert({"id": str(q["id"]), "question": q["question"], "proposition": statement})
        answers = ask(db, q["question"], statement, judge_=judge_)
        db["answers"].insert_all(
            {
                "question_id": str(q["id"]), "claim_id": a.claim_id, "stance": a.stance,
                "score": a.score, "similarity": a.similarity, "reason": a.reason,
            }
            for a in answers
        )
        count += len(answers)
    return count


def as_dict(answer: Answer) -> dict:
    return asdict(answer)
