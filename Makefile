# NaikKelas — two commands on a bare machine with Python 3.11+ and make:
#   make run    the embedded default (SQLite, filesystem broker, mail to files) with worker and beat
#   make test   the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: help install run migrate seed test lint format messages bench backup restore clean

help:
	@echo "make run       start NaikKelas locally (web + worker + beat) with demo data"
	@echo "make test      run the test suite"
	@echo "make install   create .venv and install the pinned dependencies"
	@echo "make lint      ruff check and format check"
	@echo "make messages  extract and compile the translations"
	@echo "make bench     run the benchmarks"
	@echo "make backup    back up the database and uploaded files (TO=folder, optional)"
	@echo "make restore   restore a backup: make restore FROM=var/backups/<date>"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "NaikKelas needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	test -f .env || printf '# Local development settings (not used in production)\nDEBUG=1\n' > .env
	touch $(STAMP)

install: $(STAMP)

# The settings create the folders they point at (VAR_DIR, broker, mail, media) on every start.
migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_reference
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "  NaikKelas is starting on http://127.0.0.1:$${PORT:-8000}/  (admin: /admin/)"
	@echo "  Demo logins (password naikkelas-demo):"
	@echo "    admin@naikkelas.test          superuser"
	@echo "    staf@lampung.naikkelas.test   Lampung office officer"
	@echo "    staf@jateng.naikkelas.test    Central Java office officer"
	@echo "    pemilik@ikm.naikkelas.test    owner of a Lampung enterprise"
	@echo "    analis@lpei.naikkelas.test    analyst of the export-financing agency"
	@echo "    analis@pasar.naikkelas.test   analyst of the marketplace partner"
	@echo "    pusat@naikkelas.test          national viewer"
	@echo ""
	DEBUG=$${DEBUG:-1} PORT=$${PORT:-8000} VENV=$(VENV) $(VENV)/bin/honcho -f Procfile.dev start

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l id --no-obsolete --no-location --ignore 'tests/*' --ignore 'bench/*' --ignore '.venv/*' --ignore 'var/*'
	DEBUG=1 $(PY) manage.py compilemessages -l id --ignore '.venv/*'

# bench/run.py, then every other benchmark file under bench/ (each runs on its own too), on
# PostgreSQL (BENCH_DATABASE_URL names the server and a database for the test databases;
# datasets are cached under var/bench/). QUICK=1 keeps to 100,000 enterprises.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/naikkelas_bench
bench: install
	@for script in bench/run.py $$(ls bench/*.py | grep -v -e '/run.py$$' -e '/harness.py$$'); do \
	  echo "== $$script"; \
	  DEBUG=1 QUICK=$(QUICK) DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) $$script || exit 1; \
	done
	@echo "results: bench/results.json"

backup: install
	$(PY) manage.py backup $(if $(TO),--to $(TO))

restore: install
	@test -n "$(FROM)" || (echo "usage: make restore FROM=<backup folder>" && exit 2)
	$(PY) manage.py restore $(FROM)

clean:
	rm -rf var/naikkelas.sqlite3 var/broker var/mail var/celerybeat-schedule*
