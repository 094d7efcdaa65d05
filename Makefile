# Two commands do everything on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate lint format check bench chaos crisis-report clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

venv: $(BIN)/activate

# Local development server on SQLite with DEBUG on (no secret key needed; never use in production).
run: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py sync_roles
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_faq
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py check
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# How the crisis rules (contacts/crisis/rules.txt) sort the labelled corpus: recall per category, false alarms.
# Another labelled file: make crisis-report CRISIS_FILE=path/to/file.tsv
crisis-report: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py crisis_report --show $(if $(CRISIS_FILE),--file $(CRISIS_FILE),)

# Benchmark with production settings behind the shipped nginx template, loaded by wrk
# (apt-get install wrk nginx); DATABASE_URL picks the database.
# Longer runs: BENCH_ROUNDS=5 BENCH_DURATION=20 make bench
bench: venv
	$(BIN)/python -m bench.run

# Fault tests with production settings (a script, not part of `make test`; docs/faults.md): a worker
# killed mid-burst, mail down and hung, Redis down and paused, the database unreachable. Needs
# PostgreSQL (DATABASE_URL, default a scratch clinic_chaos on 127.0.0.1:5432); nginx and redis-server
# are used when installed. Exits non-zero if anything a patient sent was lost.
chaos: venv
	$(BIN)/python -m deploy.chaos

clean:
	rm -rf $(VENV) staticfiles bench/.data .pytest_cache .ruff_cache
