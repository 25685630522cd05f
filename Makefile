# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser lint format messages bench worker beat clean

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

# One environment for everything run from this checkout, test tools included: a `--no-dev`
# sync here would uninstall them under a running test suite. Production images install with
# `uv sync --frozen --no-dev` (see README).
.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed

install-dev: install

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

# A developer's checkout: DEBUG on and a random key in a git-ignored .env, so every
# `.venv/bin/python manage.py …` in another terminal works too. Production has no .env.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG=true and a random SECRET_KEY) for this checkout."

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "Seminar on http://$(HOST):$(PORT)/  (organizer@example.com / seminar-demo)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite, then the clock-sensitive tests again at every instant of the date matrix
# (tests/conftest.py: each weekday at 00:30 and 21:30 Seoul, New Year's Eve, leap day …).
test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m pytest --date-matrix -q $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

messages: install .env
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

# Load and speed figures on PostgreSQL with five years of data (docs/BENCHMARKS.md).
bench: install
	$(PY) bench/run.py

worker: install
	.venv/bin/celery -A seminar worker -l info

beat: install
	.venv/bin/celery -A seminar beat -l info

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache
