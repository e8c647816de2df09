# Recap Journal. `make demo` builds and serves the demo journals; `make test` runs the tests.
# Every target creates the virtual environment (.venv) when it is missing.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
PORT ?= 8000

# The demo clients' passwords (demo content only: a coach's passwords live in .recap/), so that
# `make demo`, `make build` and `make serve` work in a fresh clone, whose .recap/ is empty.
# A demo client given a password of its own (`recap client password`) keeps it.
demo_password = $(if $(wildcard .recap/clients/$(1)/keyring.json),,$(2)="$(3)")
DEMO_PASSWORDS := \
  $(call demo_password,maya-lindqvist,RECAP_PASSWORD_MAYA_LINDQVIST,maple river candle orbit) \
  $(call demo_password,daniel-okafor,RECAP_PASSWORD_DANIEL_OKAFOR,walnut harbor lantern quiver)

.PHONY: demo build serve preview test soak lint format bench publish golden clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

demo: $(STAMP) ## Build the demo journals and serve them on 127.0.0.1
	@echo "Demo passwords: Maya Lindqvist → 'maple river candle orbit'," \
	      "Daniel Okafor → 'walnut harbor lantern quiver'"
	$(DEMO_PASSWORDS) $(BIN)/recap serve --port $(PORT)

build: $(STAMP) ## Build every client's protected journal into site/
	$(DEMO_PASSWORDS) $(BIN)/recap build

serve: $(STAMP) ## Build and serve the protected journals on 127.0.0.1
	$(DEMO_PASSWORDS) $(BIN)/recap serve --port $(PORT)

preview: $(STAMP) ## Serve unprotected previews on 127.0.0.1 (never published)
	$(BIN)/recap serve --preview --port $(PORT)

test: $(STAMP) ## Run the test suite
	$(BIN)/pytest -n 2 --dist loadfile

soak: $(STAMP) ## The long robustness runs (tests/robustness): 50 kills of each kind, 50 recordings at once
	@mkdir -p .recap && rm -f .recap/soak-report.txt
	RECAP_SOAK_KILLS=50 RECAP_SOAK_BATCH=50 RECAP_SOAK_EDITS=30 HYPOTHESIS_PROFILE=soak \
	  RECAP_SOAK_REPORT=$(CURDIR)/.recap/soak-report.txt \
	  $(BIN)/pytest tests/robustness -n 2 --dist loadfile -p no:cacheprovider
	@cat .recap/soak-report.txt

lint: $(STAMP) ## ruff format check and lint
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/ruff check generator tests bench

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format generator tests bench
	$(BIN)/ruff check --fix generator tests bench

bench: $(STAMP) ## Benchmarks, as ratios against a baseline measured in the same run
	$(BIN)/python bench/run.py

publish: $(STAMP) ## Check, build and push the sites to the gh-pages branch
	$(BIN)/recap publish

golden: $(STAMP) ## Regenerate the golden files of the end-to-end build test
	RECAP_UPDATE_GOLDEN=1 $(BIN)/pytest tests/test_golden.py

clean:
	rm -rf site .recap/tmp .recap/preview .pytest_cache
