# World Café — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What we ship and test: exact versions with hashes (requirements/*.lock, made by `make lock`), and this pip.
LOCK := requirements/dev.lock
PIP_VERSION := 26.3
PIP_TOOLS_VERSION := 7.6.2

.PHONY: run test test-fast bench lint typecheck translations guide-screenshots lock clean

# The venv installs exactly the lock (hashes checked), then the project itself without touching its dependencies.
$(STAMP): $(LOCK) pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip==$(PIP_VERSION)"
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## lock: re-resolve pyproject.toml's ranges to the newest versions and rewrite requirements/*.lock (on purpose only;
## commit the result after `make test` is green with it)
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet "pip-tools==$(PIP_TOOLS_VERSION)"
	.lockenv/bin/pip-compile --quiet --upgrade --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml
	.lockenv/bin/pip-compile --quiet --upgrade --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links -o requirements/run.lock pyproject.toml
	rm -rf .lockenv

## run: create .venv, install, migrate, create the demo event unless it exists, serve on 127.0.0.1:5000
run: $(STAMP)
	$(BIN)/worldcafe run --demo $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

## test: the whole suite on SQLite, then every app test again on PostgreSQL (browser, PostgreSQL and Redis tests
## skip with a reason on a laptop without them; CI runs them)
test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/python tests/postgres_pass.py

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not slow and not fuzz"

## bench: every benchmark, each printing JSON figures (see docs/performance.md); about an hour in all, 40 minutes of it
## benchmarks/cluster_load.py with its 30-minute soak (needs PostgreSQL and Redis; run it alone with --minutes N or --quick)
bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check worldcafe tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy worldcafe/domain

## translations: re-extract strings and update the catalogues, then compile them
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _n:1,2 -w 100 -o worldcafe/translations/messages.pot .
	$(BIN)/pybabel update -i worldcafe/translations/messages.pot -d worldcafe/translations --no-fuzzy-matching -w 100
	$(BIN)/pybabel compile -d worldcafe/translations

## guide-screenshots: re-run the walkthrough browser test and refresh the facilitator guide's pictures
guide-screenshots: $(STAMP)
	$(BIN)/python -m pytest -q tests/browser/test_guide_walkthrough.py
	mkdir -p docs/guide
	for f in test-artifacts/screenshots/guide-*.png; do $(BIN)/python -c "import shutil,sys; shutil.copy(sys.argv[1], sys.argv[2])" $$f docs/guide/; done

clean:
	rm -rf $(VENV) .lockenv .pytest_cache .mypy_cache .ruff_cache
