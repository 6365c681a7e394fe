# Paceway: `make run` brings the whole platform up on embedded defaults; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_CONFIG_FILE := /dev/null
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install lint typecheck lock check-deploy browsers clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	@# Make both source roots (the repository and platform/) importable, like an editable install.
	$(PY) -c "import pathlib, sysconfig; root = pathlib.Path.cwd(); pathlib.Path(sysconfig.get_paths()['purelib'], 'paceway.pth').write_text(f'{root}\\n{root / \"platform\"}\\n')"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_content
	$(PY) manage.py load_demo
	$(PY) deploy/run_all.py

test: install browsers
	$(PY) -m pytest

# Headless Chromium for the browser tests (Debian's package; Playwright cannot download one here).
browsers:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped")

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy platform modules therapist messaging

check-deploy: install
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	ALLOWED_HOSTS=paceway.example.org ENCRYPTION_KEYS=k1:$$(head -c 32 /dev/urandom | base64) \
	AUDIT_HMAC_KEY=x CLINIC_NAME="Example Pain Clinic" CLINIC_CONTACT="1-800-000-0000" \
	$(PY) manage.py check --deploy --fail-level WARNING

lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) data
