# The RII portal. `make run` serves it with the demo catalogue; `make test` checks everything.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DB_STOP := $(if $(DATABASE_URL),true,$(PY) -m portal.embedded_db stop)

.PHONY: run test lint format bench lock vendor map setup db-start db-stop clean \
	serve migrate backup restore loadtest

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

.env:
	@echo "DJANGO_DEBUG=true" > .env
	@echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
	@echo "Wrote .env for local development (see .env.example)."

setup: $(VENV)/.installed .env

db-start: setup
	$(if $(DATABASE_URL),@echo "Using DATABASE_URL.",$(PY) -m portal.embedded_db start)

db-stop:
	$(DB_STOP)

# Beside the web server: the worker that sends queued email (and runs other background
# tasks) and a sweep that re-enqueues overdue email every minute; both stop with it.
run: db-start
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --once
	@$(PY) manage.py demo_logins
	@trap 'kill $$WORKER $$SWEEP $$CHORES $$ALERTS 2>/dev/null; wait; $(DB_STOP)' EXIT; \
	trap 'exit 130' INT TERM; \
	$(PY) manage.py db_worker --no-reload & WORKER=$$!; \
	$(PY) manage.py send_queued_email --every 60 & SWEEP=$$!; \
	$(PY) manage.py access_housekeeping --every 3600 & CHORES=$$!; \
	$(PY) manage.py send_search_alerts --every 3600 & ALERTS=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

migrate: db-start
	$(PY) manage.py migrate --noinput

# The production configuration on this machine: DEBUG off, collected and compressed
# static files, gunicorn, the task worker and the periodic jobs of deploy/Procfile,
# stopped together. Over plain http on 127.0.0.1, hence no redirect to https; the
# signing key is generated once into var/serve.env.
SERVE_ENV = DJANGO_ENV_FILE=var/serve.env DJANGO_DEBUG=false \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false \
	PORTAL_SITE_URL=http://127.0.0.1:$(PORT) PORT=$(PORT) \
	PORTAL_EMBEDDED_DATABASE=$(if $(DATABASE_URL),false,true) \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

var/serve.env:
	@mkdir -p var
	@umask 077; echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote $@ (the signing key of make serve)."

serve: setup var/serve.env migrate
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(PY) manage.py check --fail-level WARNING
	@trap '$(DB_STOP)' EXIT; trap 'exit 130' INT TERM; \
	$(SERVE_ENV) $(PY) deploy/run_procfile.py deploy/Procfile

# A backup of the database and the uploaded files into var/backups/<date>/ (or
# BACKUP_DIR); `make restore BACKUP=var/backups/<date>` puts one back into an
# empty database.
backup: db-start
	@trap '$(DB_STOP)' EXIT; $(PY) manage.py backup $(if $(BACKUP_DIR),--output $(BACKUP_DIR))

restore: db-start
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=var/backups/<date>"; exit 2; }
	@trap '$(DB_STOP)' EXIT; $(PY) manage.py restore $(BACKUP)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/mypy .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint db-start
	@trap '$(DB_STOP)' EXIT; \
	$(PY) manage.py makemigrations --check --dry-run && \
	$(PY) -m pytest $(PYTEST_ARGS)

bench: db-start
	$(PY) manage.py bench_search && $(PY) manage.py bench_pages

# Load test (scripts/loadtest.sh) of gunicorn with the settings of make serve, workers
# not recycled, a throw-away Redis as the cache, on the benchmark's dataset: the
# database LOADTEST_DATABASE (rii_bench, that of make bench) on the server of make
# run, built by bench_search when missing (scripts/loadtest_database.py).
# LOADTEST_RUNS picks the runs (default: mix cached faults).
LOADTEST_REDIS_PORT ?= 6390
LOADTEST_DATABASE ?= rii_bench
loadtest: setup var/serve.env migrate
	@command -v wrk >/dev/null || { echo "make loadtest needs wrk (apt-get install wrk)"; exit 2; }
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@url=$$($(PY) scripts/loadtest_database.py $(LOADTEST_DATABASE) var/bench/loadtest-dataset.log) || exit 1; \
	redis-server --port $(LOADTEST_REDIS_PORT) --bind 127.0.0.1 --save "" --daemonize yes >/dev/null; \
	trap 'kill $$WEB; redis-cli -p $(LOADTEST_REDIS_PORT) shutdown nosave; $(DB_STOP)' EXIT; \
	DATABASE_URL=$$url $(SERVE_ENV) REDIS_URL=redis://127.0.0.1:$(LOADTEST_REDIS_PORT)/0 \
		gunicorn --config deploy/gunicorn.conf.py --max-requests 0 & WEB=$$!; \
	for i in $$(seq 60); do curl -fs -o /dev/null http://127.0.0.1:$(PORT)/healthz && break; sleep 0.5; done; \
	DATABASE_URL=$$url $(SERVE_ENV) LOADTEST_REDIS_PORT=$(LOADTEST_REDIS_PORT) PY=$(PY) \
		LOADTEST_URL=http://127.0.0.1:$(PORT) sh scripts/loadtest.sh

# Refresh requirements.txt from requirements.in in a throw-away environment.
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip
	var/lock-venv/bin/pip install --quiet -r requirements.in
	echo "# Generated by 'make lock' from requirements.in; do not edit." > requirements.txt
	var/lock-venv/bin/pip freeze --exclude pip >> requirements.txt
	rm -rf var/lock-venv

# Refresh the front-end libraries pinned in package.json / package-lock.json.
vendor:
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/bootstrap static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/LICENSE
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE

# Redraw static/img/europe.svg (and its licence) from Natural Earth data in world-atlas.
map: setup
	npm ci --no-audit --no-fund
	$(PY) scripts/build_europe_map.py

clean:
	rm -rf $(VENV) node_modules
