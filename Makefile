# World Café — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench lint typecheck translations guide-screenshots clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: create .venv, install, migrate, create the demo event unless it exists, serve on 127.0.0.1:5000
run: $(STAMP)
	$(BIN)/worldcafe run --demo $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

## test: the whole suite on SQLite, then every app test again on PostgreSQL (browser, PostgreSQL and Redis tests
## skip with a reason on a laptop without them; CI runs them)
test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/python tests/postgres_pass.py

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not slow"

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
