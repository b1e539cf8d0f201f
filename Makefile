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

## demo: synthetic register -> import -> quality -> Padu-7 -> programmes, data needs, every target list,
##       a noisy agency list linked back to the register
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
	$(PADU) target semua --snapshot latest
	$(PADU) synth list --from latest --size 5000 --seed 1 --out $(HOME_DIR)/daftar-pkh.xlsx
	$(PADU) link $(HOME_DIR)/daftar-pkh.xlsx --programme PKH --year 2026 --snapshot latest \
		--out $(HOME_DIR)/laporan-tautan-pkh.xlsx

## system-deps: Debian packages the tests need (PostgreSQL 15 server binaries)
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

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache
