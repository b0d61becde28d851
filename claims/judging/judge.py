"""Judge: is a matched pair an agreement, a conflict, or merely related?

The signals (``signals.py``), the alignment of the two claims (overlap,
coverage, word order) and the learned cue words (``cues.py``) are weighed by
a small logistic model whose weights live in ``data/judge_weights.json``,
fitted on every dev family by ``claims calibrate``. ``decide`` turns the
probabilities into relations: a conflict needs the model *and* a reason a
reader can check; agreements follow a rule on what the claims share. Hedges
lower the score, never the relation. An optional NLI ``CrossEncoder`` adds its
probabilities to the model's.

Everything is batched: signals are computed per text (cached), the weights are
one matrix product over all pairs, the cross-encoder one ``predict`` call.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from . import cues as learned, signals
from .weights import FEATURES, LABELS, Weights, load_weights
from ..index.scales import Scale
from ..text import features, terms
from .. import hookspecs
from ..errors import JudgeNotFound, NLIModelNotFound
from .registry import JudgeOptions, TupleJudge, Verdict  # noqa: F401 (Verdict: named here by users of judge.Verdict)

# XNLI and RTE names for the same three relations.
ALIASES = {"entailment": "agree", "neutral": "related", "contradiction": "conflict"}
HEDGE_FACTOR = 0.8  # score multiplier when either claim is hedged
NLI_WEIGHT = 0.6  # share of a cross-encoder's probabilities in the combined ones
NLI_BATCH = 32  # pairs the cross-encoder reads at once
# Share of conflicts (and of agreements) expected among pairs matched across
# news articles on one story: the prior ``claims build`` judges with.
NEWS_PRIOR = 0.15
# The conflict probability a matched pair needs when no signal bears on what
# both claims say: claims matched within a story are often about different
# things, and a negation in one of them is then no conflict.
UNFOCUSED = 0.7
# Agreements: at least ``Scale.agree`` close in meaning, and this share of
# shared neighbouring words in the same order (``signals.word_order``).
AGREE_ORDER = 0.7
# ... and sharing this share of the longer claim's content words: each covers
# what the other asserts, more than a topic.
AGREE_COVERAGE = 0.3
# Or one claim names nearly all content words of the other, and they are
# ``Scale.contained`` close (Jijkoun & de Rijke 2005: lexical entailment).
AGREE_CONTAINED = 0.8


@lru_cache(maxsize=2)
def load_nli(name: str):
    """A sentence-transformers ``CrossEncoder`` NLI model from disk, and the
    index of each of our labels among its outputs."""
    from ..index import embed

    embed.offline()
    from sentence_transformers import CrossEncoder

    try:
        model = CrossEncoder(name, device="cpu", local_files_only=True)
    except Exception as e:
        raise NLIModelNotFound(f"NLI model {name!r} is not available offline ({type(e).__name__})") from e
    return model, nli_label_order(model.config.id2label)


def nli_label_order(id2label: dict) -> list[int]:
    """Output index of agree, related and conflict, from a config's label names."""
    found: dict[str, int] = {}
    for index, name in id2label.items():
        name = str(name).lower()
        for prefix, label in (("entail", "agree"), ("neutral", "related"), ("contra", "conflict")):
            if name.startswith(prefix):
                found[label] = int(index)
    if set(found) != set(LABELS):
        raise NLIModelNotFound(f"NLI model labels {sorted(id2label.values())} do not name entailment, neutral and contradiction")
    return [found[label] for label in LABELS]


class Judge(TupleJudge):
    """``prior``: the share of conflicts (and ``agree_prior`` of agreements,
    by default the same) expected among the pairs judged. The weights are
    fitted on labelled pairs, about a fifth of them conflicts; pairs matched
    across news articles on one story are mostly merely related, and the
    model's odds are moved by the ratio of the priors (Saerens et al. 2002), so
    that a long list of matches does not fill up with weak conflicts. ``None``
    keeps the calibration priors. ``matched``: the pairs were found by
    similarity, as the build finds them, not written about one thing (see
    ``decide``)."""

    def __init__(self, options: JudgeOptions | None = None, nli_model: str | None = None, agree_prior: float | None = None, **fields):
        """``options``: what every judge is made with (its ``weights``,
        ``prior``, ``matched`` and ``scale`` are read here), or those
        ``fields`` of it alone (``Judge(prior=NEWS_PRIOR, matched=True)``);
        ``nli_model``: a CrossEncoder NLI model to combine with the signals;
        ``agree_prior``: the share of agreements expected (default: ``prior``)."""
        options = replace(options or JudgeOptions(), **fields)
        # What ``decide`` reads, and no more: the judge goes to Ray workers, and
        # the options' cache (the db's Store) does not travel.
        self.options = JudgeOptions(prior=options.prior, matched=options.matched,
                                    weights=options.weights or load_weights(), scale=options.scale or Scale())
        self.nli = load_nli(nli_model) if nli_model else None
        prior = self.prior
        self.agree_prior = prior if agree_prior is None else agree_prior
        self.batch_size = NLI_BATCH
        # How much one unit of each signal adds to the conflict logit, to put
        # the strongest reason first.
        row = LABELS.index("conflict")
        self._conflict_weight = dict(zip(self.weights.features, self.weights.coef[row] / self.weights.scale))
        # What a stored verdict depends on: a change means judging again.
        self.name = f"signals/{self.weights.digest()}/prior={prior},{self.agree_prior}/{'matched' if self.matched else 'given'}" + (f"+nli={nli_model}" if nli_model else "")
        if self.scale.judge_digest():
            self.name += "/" + self.scale.judge_digest()

    # What it judges with, as ``options`` has it.
    weights = property(lambda self: self.options.weights)
    scale = property(lambda self: self.options.scale)
    matched = property(lambda self: self.options.matched)
    prior = property(lambda self: self.options.prior)

    @property
    def pair_only(self) -> bool:
        """Whether a verdict depends on nothing but its pair (texts, cosine,
        speakers, and the order of rarity of the shared terms), so a build may
        keep it (``pipeline/reuse.py``): so without an NLI model, whose
        batches may round a probability otherwise."""
        return self.nli is None

    def probabilities(
        self, pairs: list[tuple[str, str, float]], vocabulary: terms.Vocabulary | None = None, known: features.FeatureMap | None = None,
    ) -> tuple[np.ndarray, list[signals.Evidence], list[tuple]]:
        """Probabilities of (agree, related, conflict) per pair at the judge's
        prior, the evidence, and each pair's strongest conflict cue (lemma, side)."""
        X, evidence, cue_words = measure(pairs, self.weights.cues, vocabulary, known, self.scale)
        return self._shift(self._probabilities(pairs, X)), evidence, cue_words

    def _probabilities(self, pairs: list[tuple[str, str, float]], X: np.ndarray, nli: np.ndarray | None = None) -> np.ndarray:
        p = self.weights.probabilities(X)
        if pairs and (self.nli or nli is not None):
            if nli is None:
                model, order = self.nli
                nli = np.asarray(model.predict([(a, b) for a, b, _ in pairs], batch_size=self.batch_size, apply_softmax=True))[:, order]
            p = (1 - NLI_WEIGHT) * p + NLI_WEIGHT * np.asarray(nli)
        return p

    def _shift(self, p: np.ndarray) -> np.ndarray:
        if self.prior is None:
            return p
        return shift_prior(p, np.array(self.weights.meta["priors"]), self.prior, self.agree_prior)

    def judge_pairs(
        self,
        pairs: list[tuple[str, str, float]],
        speakers: list[tuple[str | None, str | None]] | None = None,
        vocabulary: terms.Vocabulary | None = None,
        known: features.FeatureMap | None = None,
        nli: np.ndarray | None = None,
    ) -> list[Verdict]:
        """Verdicts for ``(text_a, text_b, similarity)`` pairs, with the speakers
        of each pair when known. ``vocabulary`` (by default: of the texts of
        ``pairs``) says how rare each shared term is, rarest shown first;
        ``known``: the texts' features where computed before; ``nli``: the NLI
        model's (agree, related, conflict) probabilities of each pair, where
        known (else the model is asked)."""
        X, evidence, cue_words = measure(pairs, self.weights.cues, vocabulary, known, self.scale)
        raw = self._probabilities(pairs, X, nli)
        p = self._shift(raw)
        # Every conflict has a reason a reader can check: a signal that fired,
        # a learned cue word it can name, or the NLI model's say.
        reasoned = np.array([bool(e.reasons) or bool(word) for e, (word, _) in zip(evidence, cue_words)], dtype=bool)
        if (self.nli is not None or nli is not None) and len(pairs):
            reasoned |= p[:, CONFLICT] >= p[:, [AGREE, RELATED]].max(axis=1)
        relation, rule, score = decide(p, X, self.options, raw, reasoned)
        speakers = speakers or [(None, None)] * len(pairs)
        return [
            self._verdict(LABELS[r], rule_, float(score_), e, c, s)
            for r, rule_, score_, e, c, s in zip(relation, rule, score, evidence, cue_words, speakers)
        ]

    def model_verdicts(
        self,
        pairs: list[tuple[str, str, float]],
        q: np.ndarray,
        speakers: list[tuple[str | None, str | None]] | None = None,
        vocabulary: terms.Vocabulary | None = None,
        known: features.FeatureMap | None = None,
        model: str = "model",
    ) -> list[Verdict]:
        """Verdicts whose relation a model that read both texts decided: the
        largest of its (agree, related, conflict) probabilities ``q``. The
        signals only explain it: the shared words, and a conflict's cue where
        one fired (else the model's word is the reason)."""
        _, evidence, cue_words = measure(pairs, self.weights.cues, vocabulary, known)
        q = np.asarray(q, dtype=float).reshape(len(pairs), len(LABELS))
        speakers = speakers or [(None, None)] * len(pairs)
        out = []
        for row, e, cue, who in zip(q, evidence, cue_words, speakers):
            r = int(np.argmax(row))
            verdict = self._verdict(LABELS[r], MODEL, float(row[r]), e, cue, who)
            said = f"{model}: {LABELS[r]} {row[r]:.2f}"
            if r == CONFLICT:
                name = _kind(*who)[1]
                hedged = f"; hedged: {', '.join(e.hedges)}" if e.hedges else ""
                verdict = replace(verdict, reason=name + "; ".join([said] + self._conflict_reasons(e, cue)) + hedged)
            elif r == AGREE:
                about = f", about {', '.join(e.shared[:4])}" if e.shared else ""
                hedged = f"; hedged: {', '.join(e.hedges)}" if e.hedges else ""
                verdict = replace(verdict, reason=f"{said}, similar ({e['similarity']:.2f}){about}{hedged}")
            out.append(verdict)
        return out

    def _verdict(self, relation: str, rule: int, score: float, evidence: signals.Evidence, cue: tuple, speakers) -> Verdict:
        hedge = HEDGE_FACTOR if evidence.hedges else 1.0
        hedged = f"; hedged: {', '.join(evidence.hedges)}" if evidence.hedges else ""
        about = f", about {', '.join(evidence.shared[:4])}" if evidence.shared else ""
        similarity = evidence["similarity"]
        if relation == "conflict":
            kind, who = _kind(*speakers)
            reason = "; ".join(self._conflict_reasons(evidence, cue)) or f"nli: contradiction {score:.2f}"
            return Verdict("conflict", round(score * hedge, 3), who + reason + hedged, kind, evidence.shared)
        if relation == "agree":
            why = {CLOSE: f"{evidence['coverage']:.0%} of their words in common", CONTAINED: "one names what the other says", MODEL: f"agree {score:.2f}"}[rule]
            return Verdict("agree", round(score * hedge, 3), f"similar ({similarity:.2f}){about}, {why}, same polarity{hedged}", shared=evidence.shared)
        return Verdict("related", round(score, 3), f"similar ({similarity:.2f}){about}", shared=evidence.shared)

    def _conflict_reasons(self, evidence: signals.Evidence, cue: tuple) -> list[str]:
        """What a reader can check in the texts: the signals that fired, and the
        learned cue word where it is not among them."""
        word, side = cue
        reasons = [self._conflict_reason(evidence)] if evidence.reasons else []
        if word and f"'{word}'" not in "".join(reasons):
            reasons.append(f"cue: '{word}' only in {side}")
        return reasons

    def _conflict_reason(self, evidence: signals.Evidence) -> str:
        names = sorted(evidence.reasons, key=lambda n: -self._conflict_weight[n] * evidence[n])
        # "negation_any" and "negation" describe one cue; show the scoped one only.
        for broad, scoped in (("negation_any", "negation"), ("opposing_any", "opposing")):
            if broad in names and scoped in names:
                names.remove(broad)
        return "; ".join(evidence.reasons[n] for n in names)


AGREE, RELATED, CONFLICT = range(len(LABELS))
# Which agreement rule held (``decide``).
NONE, CLOSE, CONTAINED, MODEL = range(4)


def decide(
    p: np.ndarray, X: np.ndarray, options: JudgeOptions, raw: np.ndarray | None = None, reasoned: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The relation of each pair (an index into ``LABELS``), the agreement
    rule that held, and the probability the relation was decided on, from
    probabilities ``p`` at the judge's prior, ``raw`` at the calibration
    priors, and feature rows ``X``; ``reasoned``: the pairs with a reason for a
    conflict (by default: a signal or a conflict cue). ``options``: the
    judge's ``weights`` (thresholds; default the shipped ones), whether the
    pairs are ``matched`` and the model's ``scale``. ``claims calibrate``
    chooses its thresholds with this same rule.

    Conflicts. Labelled pairs are written about one thing; ``matched`` pairs
    (found by similarity, as the build finds them) may not be. A matched pair
    with a signal bearing on what both say (``signals.focused``) is about one
    thing and is judged as labelled pairs are, at the calibration priors (the
    prior is the share of conflicts among all matched pairs, most of them about
    different things). Without such a signal a conflict needs ``UNFOCUSED``.

    Agreements: shared words in the same order, no signal bearing on them, and
    either close in meaning with much in common (CLOSE), or one naming all the
    other names with no signal at all (CONTAINED: the longer entails the
    shorter). Labelled pairs also agree on the model's word (MODEL); a matched
    pair that meets a rule says the same thing, and is scored as a labelled
    pair, not against the share of agreements among matches."""
    raw = p if raw is None else raw
    weights, matched, scale = options.weights or load_weights(), options.matched, options.scale or Scale()
    column = lambda name: X[:, FEATURES.index(name)]  # noqa: E731
    signal = (X[:, [FEATURES.index(name) for name in signals.SIGNALS]] > 0).any(axis=1)
    focused = column("focused") > 0
    if reasoned is None:
        reasoned = signal | (column("cue_conflict") > 0)
    conflict, limit = p[:, CONFLICT], np.full(len(p), weights.conflict_threshold)
    if matched:
        conflict = np.where(focused, raw[:, CONFLICT], conflict)
        limit = np.where(focused, limit, max(UNFOCUSED, weights.conflict_threshold))
    called = (conflict >= limit) & reasoned
    similarity = column("similarity")
    same = ~called & ~focused & (column("order") >= AGREE_ORDER)
    rule = np.full(len(p), NONE)
    if not matched:
        rule[same & (p[:, AGREE] >= weights.agree_threshold) & (p[:, AGREE] >= p[:, RELATED])] = MODEL
    rule[same & ~signal & (column("overlap") >= AGREE_CONTAINED) & (similarity >= scale.contained)] = CONTAINED
    rule[same & (similarity >= scale.agree) & (column("coverage") >= AGREE_COVERAGE)] = CLOSE
    relation = np.where(called, CONFLICT, np.where(rule != NONE, AGREE, RELATED))
    agree = (raw if matched else p)[:, AGREE]
    score = np.where(called, conflict, np.where(rule != NONE, agree, p[:, RELATED]))
    return relation, rule, score


def measure(
    pairs: list[tuple[str, str, float]], cues: learned.Cues, vocabulary: terms.Vocabulary | None = None,
    known: features.FeatureMap | None = None, scale: Scale | None = None,
):
    """Feature rows (``FEATURES``) for ``(text_a, text_b, similarity)`` pairs,
    their evidence, and each pair's strongest conflict cue (lemma, side).
    ``known``: the texts' features where computed before (a build's split)."""
    known = features.FeatureMap() if known is None else known
    numbers_from = (scale or Scale()).numbers
    vocabulary = vocabulary or features.vocabulary((t for a, b, _ in pairs for t in (a, b)), known)
    evidence, rows, cue_words = [], [], []
    for a, b, sim in pairs:
        e = signals.compare(known[a], known[b], sim, vocabulary, numbers_from)
        cue_agree, cue_conflict, word, side = cues.score(known[a], known[b])
        evidence.append(e)
        rows.append(e.values + (cue_agree, cue_conflict))
        cue_words.append((word, side))
    X = np.array(rows, dtype=float).reshape(len(pairs), len(FEATURES))
    return X, evidence, cue_words


def shift_prior(p: np.ndarray, calibration: np.ndarray, prior: float, agree_prior: float | None = None) -> np.ndarray:
    """Probabilities re-weighted from the calibration set's label priors to a
    set where conflicts have prior ``prior``, agreements ``agree_prior`` (by
    default the same) and the rest of the pairs are merely related."""
    agree_prior = prior if agree_prior is None else agree_prior
    target = np.array([agree_prior, 1 - prior - agree_prior, prior])
    q = p * (target / calibration)
    return q / q.sum(axis=1, keepdims=True)


def _kind(speaker_a: str | None, speaker_b: str | None) -> tuple[str | None, str]:
    if not speaker_a or not speaker_b:
        return None, ""
    if speaker_a.strip().lower() == speaker_b.strip().lower():
        return "self", f"{speaker_a} contradicts self: "
    return "dispute", f"{speaker_a} vs {speaker_b}: "


@lru_cache(maxsize=1)
def default_judge() -> Judge:
    """The judge ``claims build`` uses by default."""
    return Judge(prior=NEWS_PRIOR, matched=True)


def judge(text_a: str, text_b: str, similarity: float) -> Verdict:
    return default_judge().judge_pairs([(text_a, text_b, similarity)])[0]


def judge_pairs(pairs: list[tuple[str, str, float]], speakers=None, vocabulary=None, known=None) -> list[Verdict]:
    return default_judge().judge_pairs(pairs, speakers, vocabulary, known)


@hookspecs.hookimpl
def register_judges(register):
    def signals_judge(argument, options):
        if argument:
            raise JudgeNotFound(f"signals:{argument}: the signals judge takes no argument")
        return Judge(options)

    register("signals", signals_judge, "the offline judge: signals, alignment and learned cue words (default)")
