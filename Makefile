# Padu: the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
HOME_DIR ?= padu-data
PADU   := $(VENV)/bin/padu --home $(HOME_DIR)
STAMP  := $(VENV)/.installed

.PHONY: demo test install system-deps lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## demo: synthetic register -> import -> quality -> Padu-7 -> programmes, data needs, the agreed
##       reference, every target list adopted as the 2026 plan, the joint plan of the budgeted
##       programmes (integrated vs siloed) adopted over them, two noisy agency lists (PKH, RTLH)
##       linked back to the register, and the convergence of all programmes by kabupaten;
##       then one demo account per role and the web app in demo mode (until Ctrl+C)
DEMO_URL ?= http://127.0.0.1:8000/
demo: install
	mkdir -p $(HOME_DIR)
	$(PADU) synth --seed 1 --scale 1 --out $(HOME_DIR)/synth
	$(PADU) register import $(HOME_DIR)/synth/keluarga.csv $(HOME_DIR)/synth/individu.csv \
		--snapshot-date 2026-01-23 --label "DTSEN sintetis Kaltara 23-01-2026"
	$(PADU) register quality latest
	$(PADU) register desil latest
	$(PADU) mpi --snapshot latest --measure padu-7 --by kabupaten
	$(PADU) programme import preset:kaltara-2026
	$(PADU) needs --snapshot latest
	$(PADU) register reference latest --year 2026 --why "Demo: snapshot sintetis disepakati sebagai acuan 2026"
	$(PADU) target semua --snapshot acuan:2026 --adopt
	$(PADU) plan kaltara-2026 --snapshot acuan:2026 --adopt --workbooks $(HOME_DIR)/rencana-2026
	$(PADU) synth list --from acuan:2026 --programme PKH --size 5000 --seed 1 --out $(HOME_DIR)/daftar-pkh.xlsx
	$(PADU) link $(HOME_DIR)/daftar-pkh.xlsx --programme PKH --year 2026 --snapshot acuan:2026 \
		--out $(HOME_DIR)/laporan-tautan-pkh.xlsx
	$(PADU) synth list --from acuan:2026 --programme RTLH --size 1500 --seed 2 --out $(HOME_DIR)/daftar-rtlh.xlsx
	$(PADU) link $(HOME_DIR)/daftar-rtlh.xlsx --programme RTLH --year 2026 --snapshot acuan:2026
	$(PADU) convergence --snapshot acuan:2026 --year 2026 --by kabupaten
	$(PADU) convergence --snapshot acuan:2026 --year 2026 --format xlsx --out $(HOME_DIR)/konvergensi-2026.xlsx
	PADU="$(PADU)" sh scripts/demo-accounts.sh $(DEMO_URL)
	$(PADU) serve --demo

## system-deps: Debian packages the tests need (PostgreSQL 15 server binaries, Chromium)
system-deps:
	sh scripts/system-deps.sh

lint: install
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts

typecheck: install
	$(VENV)/bin/mypy

## test: install everything, then lint, type-check and run the whole suite (DuckDB and PostgreSQL)
test: install system-deps lint typecheck
	$(VENV)/bin/pytest

bench: install
	$(VENV)/bin/python benchmarks/import_register.py
	$(VENV)/bin/python benchmarks/desil_by_kabupaten.py
	$(VENV)/bin/python benchmarks/mpi_af.py
	$(VENV)/bin/python benchmarks/targeting.py
	$(VENV)/bin/python benchmarks/linkage.py
	$(VENV)/bin/python benchmarks/planning.py

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache
