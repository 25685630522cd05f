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

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev
	@touch $@

.venv/.installed-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@ .venv/.installed

install: .venv/.installed

install-dev: .venv/.installed-dev

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

run: install-dev
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --if-empty
	@echo "Seminar on http://$(HOST):$(PORT)/  (organizer@example.com / seminar-demo)"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install-dev
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

messages: install-dev
	DEBUG=true $(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=staticfiles
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

worker: install
	.venv/bin/celery -A seminar worker -l info

beat: install
	.venv/bin/celery -A seminar beat -l info

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache
