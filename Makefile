# Paceway: `make run` brings the whole platform up on embedded defaults; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_CONFIG_FILE := /dev/null
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install lint typecheck lock check-deploy browsers gettext messages clean k8s-validate deploy-test podman-test

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	@# Make both source roots (the repository and platform/) importable, like an editable install.
	$(PY) -c "import pathlib, sysconfig; root = pathlib.Path.cwd(); pathlib.Path(sysconfig.get_paths()['purelib'], 'paceway.pth').write_text(f'{root}\\n{root / \"platform\"}\\n')"
	@touch $(STAMP)

# The translations (locale/*/LC_MESSAGES/*.po) are compiled here; the .mo files are not committed.
install: $(STAMP) messages

messages: $(STAMP) gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.venv-k8s -v0

# GNU gettext (msgfmt) for compilemessages and makemessages, from Debian's package like chromium.
gettext:
	@command -v msgfmt >/dev/null || (command -v apt-get >/dev/null && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) || (echo "GNU gettext (msgfmt) is needed to compile the translations" && exit 1))

# run_all.py refuses a second instance on the same DATA_DIR, then migrates, collects static files,
# loads the program and demo accounts, and supervises web, worker and scheduler.
run: install
	$(PY) deploy/run_all.py

test: install browsers
	$(PY) -m pytest

# Headless Chromium for the browser tests (Debian's package; Playwright cannot download one here).
browsers:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser tests will be skipped")

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy platform modules therapist messaging

check-deploy: install
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	ALLOWED_HOSTS=paceway.example.org ENCRYPTION_KEYS=k1:$$(head -c 32 /dev/urandom | base64) \
	AUDIT_HMAC_KEY=x CLINIC_NAME="Example Pain Clinic" CLINIC_CONTACT="1-800-000-0000" \
	$(PY) manage.py check --deploy --fail-level WARNING

# requirements.lock: everything (runtime + dev), used by `make install` and `make test`.
# requirements-runtime.lock: runtime only (what the container image installs); no test or lint tools.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock
	@# The runtime lock takes the same versions as the full one (constrained by it).
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -c requirements.lock -o requirements-runtime.lock

# Kubernetes manifests: render (kubectl kustomize) and validate against the schemas, strict, offline
# once the tools are installed (a separate venv from deploy/kubernetes/requirements-validate.lock).
K8S_VENV := .venv-k8s
$(K8S_VENV)/.installed: deploy/kubernetes/requirements-validate.lock
	@test -x $(K8S_VENV)/bin/python || $(PYTHON) -m venv $(K8S_VENV)
	$(K8S_VENV)/bin/python -m pip install -q --require-hashes -r deploy/kubernetes/requirements-validate.lock
	@touch $@

k8s-validate: $(K8S_VENV)/.installed
	deploy/kubernetes/validate.sh $(K8S_VENV)/bin/kubectl $(K8S_VENV)/bin/kubernetes-validate

# The compose stack for real: image, two web replicas behind Caddy (TLS), messaging across replicas
# with one replica killed, e-mail from the worker, backup and restore. Needs root, Docker (a private
# dockerd is started if none answers), debootstrap and network access to Debian and PyPI for the
# first run. See "Tested here" in deploy/README.md.
deploy-test: install
	deploy/testing/test_stack.sh

# The same stack under Podman (issue 17): podman from Debian, podman-compose from
# deploy/testing/requirements-podman.lock in .venv-podman, the checks of deploy-test (not in .ci/run).
podman-test: install
	deploy/testing/test_podman.sh

clean:
	rm -rf $(VENV) $(K8S_VENV) .venv-podman data
