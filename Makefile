# The book: `make pdf` sets everything up on first use, `make test` checks it all.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready
OUT := output
# Reproducible outputs: dates inside the files come from the last commit.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)

CODE := build.py $(wildcard mlbook/*.py) $(wildcard templates/*)
CONTENT := $(shell find content -type f -not -name README.md 2>/dev/null)
DEPS := $(READY) $(CODE) $(CONTENT)

.PHONY: all pdf epub handout sheet html anki check test golden clean lock setup
.DELETE_ON_ERROR:

pdf: $(OUT)/book.pdf
epub: $(OUT)/book.epub
handout: $(OUT)/handout.pdf
sheet: $(OUT)/sheet.pdf
html: $(OUT)/site/index.html
anki: $(OUT)/ml-interview.apkg
all: pdf epub handout sheet
setup: $(READY)

$(OUT)/book.pdf: $(DEPS)
	$(PY) build.py pdf --out $(OUT)
$(OUT)/book.epub: $(DEPS)
	$(PY) build.py epub --out $(OUT)
$(OUT)/handout.pdf: $(DEPS)
	$(PY) build.py handout --out $(OUT)
$(OUT)/sheet.pdf: $(DEPS)
	$(PY) build.py sheet --out $(OUT)
$(OUT)/site/index.html: $(DEPS)
	$(PY) build.py html --out $(OUT)
$(OUT)/ml-interview.apkg: $(DEPS)
	$(PY) build.py anki --out $(OUT)

check: $(READY)
	$(PY) build.py check

test: $(READY)
	$(PY) -m pytest

# Regenerate the golden HTML of the sample bank in tests/ after an intended change of the output.
golden: $(READY)
	$(PY) -m tests.golden

$(READY): requirements.lock pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

# Refresh requirements.lock from the ranges in pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	{ echo "# Exact versions of everything the build and the tests use (pip freeze of a working .venv)."; \
	  echo "# Regenerate with \`make lock\` after changing dependencies in pyproject.toml."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(OUT) .cache
