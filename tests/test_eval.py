"""``claims eval``: reading gold pairs, the arithmetic, the command."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from claims.training import calibrate
from claims.cli import cli
from claims.training.eval import PairsError, metrics, read_pairs


def test_metrics_arithmetic():
    truth = ["conflict", "conflict", "conflict", "agree", "agree", "related"]
    predicted = ["conflict", "conflict", "related", "conflict", "agree", "related"]
    report = metrics(truth, predicted, seconds=2.0)
    assert report.n == 6 and report.accuracy == round(4 / 6, 4) and report.pairs_per_second == 3.0
    c = report.labels["conflict"]
    assert (c["precision"], c["recall"], c["f1"], c["support"]) == (round(2 / 3, 4), round(2 / 3, 4), round(2 / 3, 4), 3)
    assert report.labels["related"] == {"precision": 0.5, "recall": 1.0, "f1": round(2 / 3, 4), "support": 1}
    # rows: true agree, related, conflict; columns: predicted
    assert report.confusion == [[1, 0, 1], [0, 1, 0], [0, 1, 2]]


def test_a_label_never_predicted_has_zero_precision_not_an_error():
    report = metrics(["agree", "conflict"], ["related", "related"])
    assert report.labels["agree"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_read_pairs_maps_nli_labels_and_skips_a_header(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("premise\thypothesis\tlabel\nA\tB\tcontradiction\nC\tD\tEntailment\n\nE\tF\tneutral\nG\tH\tconflict\n", encoding="utf-8")
    assert read_pairs(path) == [("A", "B", "conflict"), ("C", "D", "agree"), ("E", "F", "related"), ("G", "H", "conflict")]


@pytest.mark.parametrize(
    "content, message",
    [
        ("A\tB\tcontradiction\nC\tD\tmaybe\n", "gold.tsv:2: unknown label 'maybe'"),
        ("A\tB\tcontradiction\nonly one field\n", "gold.tsv:2: expected premise<TAB>hypothesis<TAB>label, found 1 field(s)"),
        ("\n\n", "gold.tsv: no labelled pairs"),
    ],
)
def test_bad_pairs_files_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "gold.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PairsError) as e:
        read_pairs(path)
    assert str(e.value) == f"{tmp_path}/{message}"


GOLD = [
    ("Kellogg glaubt nicht, dass die Europäer am Tisch sitzen.", "Die Europäer werden am Tisch sitzen.", "contradiction"),
    ("Kelloggs Rolle ist zeremoniell.", "Kellogg spielt eine wichtige Rolle.", "contradiction"),
    ("Der Kreml lehnt europäische Truppen in der Ukraine ab.", "Russland ist gegen europäische Soldaten in der Ukraine.", "entailment"),
    ("Witkoff reiste nach Paris.", "Macron erklärte die Pläne der Koalition.", "neutral"),
]


def test_eval_command_json(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("".join("\t".join(row) + "\n" for row in GOLD), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 4 and set(report["labels"]) == {"agree", "related", "conflict"}
    assert report["labels"]["conflict"]["recall"] == 1.0
    assert report["pairs_per_second"] > 0 and 0 <= report["accuracy"] <= 1
    table = CliRunner().invoke(cli, ["eval", str(path)]).output
    assert "conflict" in table and "pairs/s" in table and "confusion" in table


def test_eval_command_over_several_files(tmp_path):
    first, second = tmp_path / "first.tsv", tmp_path / "second.tsv"
    first.write_text("".join("\t".join(row) + "\n" for row in GOLD), encoding="utf-8")
    second.write_text("".join("\t".join(row) + "\n" for row in GOLD[:2]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(first), str(second), "--json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.output)
    # A list of the one-file objects, each naming its file.
    assert [r["file"] for r in reports] == [str(first), str(second)]
    assert [r["n"] for r in reports] == [4, 2]
    assert all(set(r["labels"]) == {"agree", "related", "conflict"} and "pairs_per_second" in r for r in reports)
    lines = CliRunner().invoke(cli, ["eval", str(first), str(second)]).output.strip().splitlines()
    assert lines[0].split()[:2] == ["file", "conf"] and "pairs/s" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["first.tsv", "second.tsv"]
    assert lines[1].split()[-2] == "4" and lines[2].split()[-2] == "2"


def test_eval_command_names_a_bad_file_before_judging_any(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_text("".join("\t".join(row) + "\n" for row in GOLD), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(good), str(tmp_path / "missing.tsv")])
    assert result.exit_code == 1
    assert result.output.strip() == f"claims: {tmp_path}/missing.tsv: no such file"


def test_eval_command_bad_file_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "missing.tsv")])
    assert result.exit_code == 1
    assert result.output.strip() == f"claims: {tmp_path}/missing.tsv: no such file"


def test_fit_recovers_a_signal_and_keeps_signal_weights_non_negative():
    from claims.judging.judge import FEATURES

    rng = np.random.default_rng(0)
    n = 600
    X = np.zeros((n, len(FEATURES)))
    X[:, 0] = rng.uniform(0.2, 0.9, n)
    negation = rng.random(n) < 0.3
    X[:, FEATURES.index("negation")] = negation
    X[:, FEATURES.index("absolute")] = rng.random(n) < 0.2  # noise
    y = np.where(negation, 2, np.where(X[:, 0] > 0.6, 0, 1))
    weights = calibrate.fit(X, y)
    p = weights.probabilities(X)
    assert (p[negation, 2] > 0.5).all() and (p[~negation, 2] < 0.5).all()
    assert weights.meta["priors"] == [round(float(v), 4) for v in np.bincount(y, minlength=3) / n]
    assert (weights.coef[2, [FEATURES.index(s) for s in ("negation", "absolute", "numbers")]] >= 0).all()


def test_baseline_rule(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("".join("\t".join(row) + "\n" for row in GOLD), encoding="utf-8")
    report = json.loads(CliRunner().invoke(cli, ["eval", str(path), "--json", "--baseline"]).output)
    # Only the first pair has a negation word on one side.
    assert report["labels"]["conflict"] == {"precision": 1.0, "recall": 0.5, "f1": round(2 / 3, 4), "support": 2}


def test_a_fifth_is_held_out_by_first_text_and_read_alone(tmp_path):
    from claims.training.eval import is_held_out

    texts = [f"Satz Nummer {i} über die Regierung." for i in range(1000)]
    share = sum(map(is_held_out, texts)) / len(texts)
    assert 0.15 < share < 0.25
    assert [is_held_out(t) for t in texts] == [is_held_out(t) for t in texts]
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{t}\tDie Regierung handelt.\tagree\n" for t in texts), encoding="utf-8")
    held = read_pairs(path, held_out=True)
    assert len(held) == sum(map(is_held_out, texts)) and all(is_held_out(a) for a, _, _ in held)


def test_held_out_of_a_file_with_none_says_so(tmp_path):
    from claims.training.eval import is_held_out

    text = next(f"Satz {i}." for i in range(100) if not is_held_out(f"Satz {i}."))
    path = tmp_path / "kept.tsv"
    path.write_text(f"{text}\tEin Satz.\tagree\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--held-out", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"claims: {path}: no pair in the held-out fifth"


def _family(path, n, offset=0):
    labels = ["agree", "related", "conflict"]
    rows = []
    for i in range(n):
        label = labels[i % 3]
        a = f"Die Stadt {i + offset} baut eine neue Brücke über den Fluss."
        b = {"agree": f"Die Stadt {i + offset} baut eine Brücke.", "related": "Der Fluss ist im Sommer warm.",
             "conflict": f"Die Stadt {i + offset} baut keine Brücke."}[label]
        rows.append(f"{a}\t{b}\t{label}\n")
    path.write_text("".join(rows), encoding="utf-8")


def test_calibrate_fits_every_file_but_its_held_out_fifth_and_eval_measures_that_fifth(tmp_path):
    from claims.training.eval import is_held_out

    first, second, weights_file = tmp_path / "first.tsv", tmp_path / "second.tsv", tmp_path / "w.json"
    _family(first, 90)
    _family(second, 60, offset=1000)
    result = CliRunner().invoke(cli, ["calibrate", str(first), str(second), "-o", str(weights_file)])
    assert result.exit_code == 0, result.output
    weights = json.loads(weights_file.read_text(encoding="utf-8"))
    all_pairs = read_pairs(first) + read_pairs(second)
    assert weights["n"] == sum(not is_held_out(a) for a, _, _ in all_pairs)
    assert weights["calibrated_on"] == ["first.tsv", "second.tsv"]
    assert weights["cues"] and 0 < weights["conflict_threshold"] < 1
    report = json.loads(CliRunner().invoke(cli, ["eval", "--held-out", "--weights", str(weights_file), "--json", str(first)]).output)
    assert report["n"] == len(read_pairs(first, held_out=True))
    # "keine" only in B is learned as a conflict cue and called one.
    assert report["labels"]["conflict"]["recall"] > 0.5
