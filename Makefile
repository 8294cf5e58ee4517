# The two commands: `make demo` and `make test`. Each does all of its own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test quick lint typecheck pytest bench setup graphviz browser latex torch js clean

demo: setup graphviz
	$(PY) -m tinygrad_edu demo

test: setup graphviz browser latex torch js lint typecheck pytest

lint: setup
	$(VENV)/bin/ruff check tinygrad_edu tests benchmarks
	$(VENV)/bin/ruff format --check tinygrad_edu tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy --strict tinygrad_edu

# The unit tests and the lessons: every notebook is executed (nbmake), so one that breaks fails.
pytest: setup graphviz browser latex js
	$(VENV)/bin/pytest -q -p no:cacheprovider --doctest-modules tinygrad_edu
	$(VENV)/bin/pytest -q --nbmake tests notebooks

# The quick tier: the unit tests without the ones marked slow (browser, notebooks, long
# training), with fewer hypothesis examples. Under a minute; `make test` runs everything.
quick: setup
	HYPOTHESIS_PROFILE=quick $(VENV)/bin/pytest -q -p no:cacheprovider -m "not slow" tests

bench: setup
	$(PY) -m pip install --quiet "micrograd==0.1.0"
	$(PY) benchmarks/bench.py

setup: $(STAMP)

# Re-install only when the project's metadata changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The graphviz `dot` program renders the graphs. Install it when missing and we are root on
# Debian; otherwise say how and go on (the library still writes DOT text without it).
graphviz:
	@if command -v dot >/dev/null 2>&1; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "graphviz 'dot' is missing: installing it with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	    || echo "warning: could not install graphviz; graph rendering will be skipped (DOT text only)"; \
	else \
	  echo "note: graphviz 'dot' is not installed; graphs are written as DOT text only."; \
	  echo "      install it with: sudo apt-get install graphviz  (macOS: brew install graphviz;"; \
	  echo "      conda: conda install -c conda-forge graphviz)"; \
	fi

# The explorer's tests drive a real browser: Playwright for Python (the dev extra) pointed at the
# system Chromium (Playwright's own browser download is not used). Install Chromium when missing
# and we are root on Debian; otherwise say how (the browser tests then skip, except under CI).
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "chromium is missing: installing it with apt-get (for the explorer's browser tests)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: could not install chromium; the browser tests will be skipped"; \
	else \
	  echo "note: chromium is not installed; the explorer's browser tests will be skipped."; \
	  echo "      install it with: sudo apt-get install chromium  (or set CHROMIUM=/path/to/chrome)"; \
	fi

# pdflatex compiles the worksheets' LaTeX documents in the grading tests (texlive-latex-base,
# about 100 MB). Install it when missing and we are root on Debian; otherwise say how.
latex:
	@if command -v pdflatex >/dev/null 2>&1; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "pdflatex is missing: installing texlive-latex-base with apt-get (for the worksheet tests)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq texlive-latex-base >/dev/null) \
	    || echo "warning: could not install texlive-latex-base; the LaTeX compile test will fail under CI"; \
	else \
	  echo "note: pdflatex is not installed; the worksheets' LaTeX is checked for structure only."; \
	  echo "      install it with: sudo apt-get install texlive-latex-base"; \
	fi

# torch is an optional extra ([torch]): the core and `make demo` never need it, but the bridge's
# tests should really run. Install torch's CPU build when pip can get it (the CPU index, or any
# local wheel pip is configured with); otherwise say so and go on: those tests then skip, naming
# the extra. Measured here: about 2 minutes, 750 MB installed.
torch: setup
	@if $(PY) -c "import torch" >/dev/null 2>&1; then \
	  true; \
	elif $(PY) -m pip install --quiet --retries 0 --timeout 20 \
	    --index-url https://download.pytorch.org/whl/cpu "torch>=2.0" >/dev/null 2>&1; then \
	  echo "installed torch (CPU build) for the [torch] tests"; \
	else \
	  echo "note: torch's CPU build is not available to pip here; the [torch] tests will skip"; \
	  echo "      (install it with: pip install 'tinygrad_edu[torch]')"; \
	fi

# The JavaScript tools (Pyodide for the live page, @viz-js/viz, axe-core for the accessibility
# checks) come from the npm registry by name at the versions pinned in package-lock.json, into
# node_modules/ (npm's own cache keeps them between runs). Never from a CDN at run time.
JS_STAMP := node_modules/.installed
js: $(JS_STAMP)

$(JS_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch $(JS_STAMP); \
	else \
	  echo "note: npm is not installed; the live page and the accessibility checks need it"; \
	  echo "      install it with: sudo apt-get install npm  (Node.js 18 or newer)"; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache out node_modules
