# dutybot: `make run` tries the bot at once, `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages: Chromium for the browser tests, a CJK font for charts, an emoji font so the
# playground page shows the emoji of the bot's messages as Telegram does.
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-noto-color-emoji

.PHONY: install run reset test bench lint format system-deps clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

system-deps:
	@missing=""; \
	if command -v dpkg >/dev/null; then \
	  for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "note: please install the Debian packages$$missing (browser tests and CJK charts need them)"; \
	  fi; \
	fi

# The lookup's question model, trained on the labelled questions (knowledge/learned.py).
MODEL := knowledge/model/.trained
$(MODEL): $(STAMP) $(wildcard knowledge/questions/*.yaml) knowledge/learned.py
	$(VENV)/bin/dutybot knowledge train
	touch $@

install: system-deps $(STAMP) $(MODEL)

run: install
	$(VENV)/bin/dutybot knowledge validate knowledge/data/*.yaml
	$(VENV)/bin/dutybot db upgrade
	$(VENV)/bin/dutybot run

# Wipe the playground's database and chats and make the demo year again (stop `make run` first;
# the page's 重置演示数据 does the same while it runs). Refused with a token.
reset: install
	$(VENV)/bin/dutybot demo reset

test: install
	$(VENV)/bin/pytest

bench: install
	$(PY) benchmarks/lookup.py --duties 10000
	$(PY) benchmarks/lookup_accuracy.py
	$(PY) benchmarks/burst.py --contacts 100
	$(PY) benchmarks/broadcast.py --chats 200
	$(PY) benchmarks/circular.py --units 100 --indicators 20 --months 24
	$(PY) benchmarks/upload.py
	$(PY) benchmarks/projects.py --projects 5000 --years 5

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -q -c pyproject.toml -r bot handlers knowledge db
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache knowledge/model
