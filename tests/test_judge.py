"""The judge as ``claims build`` runs it: signals weighed by the calibrated
weights, at the news prior."""

import json

import numpy as np
import pytest

from claims.judging import judge as judging
from claims.judging.judge import FEATURES, Judge, judge, judge_pairs, load_weights, shift_prior
from claims.judging.signals import SIGNALS

KELLOGG = "Am Samstag sagte Kellogg, er glaube nicht, dass Europäer „am Tisch“ während der Friedensverhandlungen sein würden."
RUBIO = "Die Europäische Union wird irgendwann mit am Tisch sitzen müssen, weil auch gegen sie Sanktionen verhängt wurden."


def test_gold_conflict_at_the_table():
    verdict = judge(KELLOGG, RUBIO, 0.48)
    assert verdict.relation == "conflict"
    assert verdict.reason == "negation: 'nicht' only in A, about europäer, tisch"


def test_a_plain_negated_restatement_is_a_conflict():
    verdict = judge("Er glaube nicht, dass Europäer am Tisch sitzen.", "Europäer werden am Tisch sitzen.", 0.7)
    assert verdict.relation == "conflict"


def test_two_reports_that_the_kremlin_rejects_troops_are_no_conflict():
    verdict = judge(
        "Er sagte auch, Russland sei gegen den europäischen Plan, NATO-Soldaten als Friedenstruppen in die Ukraine zu entsenden.",
        "Der Kreml hat jede Präsenz europäischer oder NATO-Truppen in der Ukraine entschieden abgelehnt, selbst wenn diese nicht offiziell unter dem Banner des Bündnisses operieren.",
        0.55,
    )
    assert verdict.relation != "conflict"


def test_hedge_lowers_the_score_not_the_relation():
    plain = judge("Moskau betrachte Kelloggs Rolle als zeremoniell.", "Kellogg spielt weiterhin eine wichtige Rolle.", 0.53)
    hedged = judge("Moskau betrachte Kelloggs Rolle als zeremoniell.", "Kellogg spielt vielleicht weiterhin eine wichtige Rolle.", 0.53)
    assert plain.relation == hedged.relation == "conflict"
    assert hedged.score < plain.score
    assert hedged.reason.endswith("; hedged: vielleicht")
    assert plain.reason.startswith("opposing: 'zeremoniell' in A vs 'wichtig' in B, about rolle")


def test_no_signal_no_conflict_however_similar():
    verdict = judge("Das Minimum liegt bei 2 % des BIP.", "Das Minimum liegt bei 2 Prozent des BIP.", 0.95)
    assert verdict.relation != "conflict"
    assert verdict.reason.startswith("similar (0.95)")


def test_speakers_make_a_dispute_or_a_self_contradiction():
    pairs = [(KELLOGG, RUBIO, 0.48)] * 3
    verdicts = judge_pairs(pairs, [("Kellogg", "Rubio"), ("Kellogg", "kellogg"), (None, "Rubio")])
    assert [v.kind for v in verdicts] == ["dispute", "self", None]
    assert verdicts[0].reason.startswith("Kellogg vs Rubio: negation")
    assert verdicts[1].reason.startswith("Kellogg contradicts self: negation")
    assert verdicts[2].reason.startswith("negation")


def test_batch_judging_matches_single_judging():
    pairs = [
        (KELLOGG, RUBIO, 0.48),
        ("Das Minimum liegt bei 2 % des BIP.", "Das Minimum liegt bei 2 Prozent des BIP.", 0.9),
        ("Macron erklärte die Pläne.", "Witkoff reiste nach Paris.", 0.46),
    ]
    assert judge_pairs(pairs) == [judge(*p) for p in pairs]


def test_a_lower_prior_makes_fewer_conflicts():
    pairs = [(KELLOGG, RUBIO, s) for s in np.linspace(0.3, 0.9, 13)] + [
        ("Die Rolle ist zeremoniell.", "Die Rolle ist wichtig.", s) for s in np.linspace(0.3, 0.9, 13)
    ]
    counts = [sum(v.relation == "conflict" for v in Judge(prior=p).judge_pairs(pairs)) for p in (0.05, 0.15, 0.3)]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_shift_prior_keeps_probabilities_and_is_identity_at_the_calibration_prior():
    p = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    same = shift_prior(p, np.array([0.25, 0.5, 0.25]), 0.25)
    assert np.allclose(same, p)
    shifted = shift_prior(p, np.array([1 / 3] * 3), 0.1)
    assert np.allclose(shifted.sum(axis=1), 1) and (shifted[:, 2] < p[:, 2]).all()


def test_shipped_weights_match_the_signals_and_keep_signals_positive():
    weights = load_weights()
    assert weights.features == FEATURES
    conflict = judging.LABELS.index("conflict")
    assert all(weights.coef[conflict, FEATURES.index(name)] >= 0 for name in SIGNALS)
    assert 0 < weights.conflict_threshold < 1


def test_weights_for_other_features_are_refused(tmp_path):
    data = load_weights().to_dict()
    data["features"] = data["features"][:-1]
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="weights are for features"):
        load_weights(str(path))
