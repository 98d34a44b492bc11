#!/usr/bin/env bash
# What CI can prove about the containers without a Docker engine:
#   1. compose.yaml is valid (docker-compose config), with and without the observability profile;
#   2. every variable compose.yaml and the Dockerfiles give the agent and the api is one its Java
#      config reads, and the volumes are mounted the way the design says;
#   3. the save_model helper's tests pass (pytest, in a throw-away venv).
# Needs python3 and docker-compose (Debian's package). Set CHECK_TORCH=1 to also install torch
# and run the torch export test. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

step() { printf '\n== %s\n' "$*"; }

step "compose.yaml: docker-compose config"
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "docker-compose not found (apt-get install docker-compose)" >&2
  exit 1
fi
docker-compose -f compose.yaml config -q
docker-compose -f compose.yaml --profile observability config -q
docker-compose -f compose.yaml --env-file .env.example config -q
echo "valid: $(docker-compose -f compose.yaml --profile observability config --services | tr '\n' ' ')"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

step "python venv for the checks ($TMP/venv)"
python3 -m venv "$TMP/venv"
PY="$TMP/venv/bin/python"
# No retries by default: where an index in pip's configuration cannot be reached (as on machines
# that only reach a local mirror), each retry waits with back-off and the install takes minutes;
# an unreachable index is skipped either way.
export PIP_RETRIES="${PIP_RETRIES:-0}"
PACKAGES=("./notebook-image[check]" pytest jsonschema pyyaml scikit-learn)
if [[ "${CHECK_TORCH:-0}" == 1 ]]; then PACKAGES+=(torch onnxscript); fi
"$PY" -m pip install -q --disable-pip-version-check "${PACKAGES[@]}" 2>&1 \
  | grep -v -E "Retrying|is ignored: it is neither" || true
"$PY" -c "import modelsync_notebook, onnx, onnxruntime, pytest, yaml" # fail here if pip did

step "environment of the agent and api services vs. the Java config"
docker-compose -f compose.yaml --profile observability config > "$TMP/compose.resolved.yaml"
"$PY" - "$TMP/compose.resolved.yaml" <<'EOF'
"""Every variable the agent and api get must be one their config reads: a typo such as
MODELSYNC_QUIET_MSS would otherwise be ignored silently. The options the Java code declares are
listed in deploy/options.json (OptionsListingTest keeps it current)."""
import json
import pathlib
import re
import sys

import yaml

# read by the JVM, DJL or glibc rather than by modelsync's config
RUNTIME = {"JAVA_TOOL_OPTIONS", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "TZ",
           "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_",
           # the AWS SDK's default credential chain (the bucket)
           "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
           "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}
failures = []


def java_options(service):
    # deploy/options.json: the options as the Java code declares them (OptionsListingTest keeps it
    # current), so this check never parses Java source
    listing = pathlib.Path("deploy/options.json")
    return {o["env"] for o in json.loads(listing.read_text())[service]}


def dockerfile_env(path):
    text = pathlib.Path(path).read_text().replace("\\\n", " ")
    names = set()
    for line in text.splitlines():
        if line.strip().upper().startswith("ENV "):
            names |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", line))
    return names


compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
for service in ("agent", "api"):
    known = java_options(service)
    env = services[service].get("environment") or {}
    sources = {f"compose.yaml services.{service}.environment": set(env),
               f"{service}/Dockerfile ENV": dockerfile_env(f"{service}/Dockerfile")}
    for where, names in sources.items():
        for name in sorted(names):
            if name in known or name in RUNTIME:
                continue
            if name.startswith("KAFKA_") and name not in ("KAFKA_HEAP_OPTS", "KAFKA_OPTS"):
                failures.append(f"{where}: {name} would be passed to the Kafka clients as"
                                f" '{name[6:].lower().replace('_', '.')}'; is that meant?")
            else:
                failures.append(f"{where}: {name} is not read by the {service}")
    print(f"{service}: {len(env)} variables in compose, all known")


def mounts(service):
    result = {}
    for v in services[service].get("volumes", []):
        if isinstance(v, dict):
            result[v["target"]] = (v.get("source"), bool(v.get("read_only")))
        else:
            parts = v.split(":")
            result[parts[1]] = (parts[0], len(parts) > 2 and "ro" in parts[2].split(","))
    return result


def expect(cond, message):
    if not cond:
        failures.append(message)


nb, agent, api = mounts("notebook"), mounts("agent"), mounts("api")
nb_dir = services["notebook"]["environment"]["MODELSYNC_MODELS_DIR"]
agent_dir = services["agent"]["environment"]["MODELSYNC_MODELS_DIR"]
expect(nb.get(nb_dir, (None,))[0] == "models" and not nb[nb_dir][1],
       f"notebook must mount the models volume read-write at {nb_dir}")
expect(agent.get(agent_dir) == ("models", True),
       f"agent must mount the models volume read-only at {agent_dir}")
store = services["agent"]["environment"]["MODELSYNC_STORE_DIR"]
expect(agent.get(store) == ("store", False), f"agent must mount the store volume read-write at {store}")
api_store = services["api"]["environment"]["MODELSYNC_STORE_DIR"]
expect(api.get(api_store) == ("store", True), f"api must mount the store volume read-only at {api_store}")
expect("container_name" not in services["api"], "api has a container_name, so it cannot be scaled")
expect(str(services["notebook"]["environment"].get("MODELSYNC_API_URL", "")).startswith("http://api:"),
       "notebook's MODELSYNC_API_URL should point at the api service")
for service in ("agent", "api"):
    for dep, cond in (services[service].get("depends_on") or {}).items():
        expect(cond.get("condition") == "service_healthy",
               f"{service} depends on {dep} without condition: service_healthy")
for service in ("kafka", "agent", "api"):
    expect("healthcheck" in services[service] or pathlib.Path(f"{service}/Dockerfile").exists()
           and "HEALTHCHECK" in pathlib.Path(f"{service}/Dockerfile").read_text(),
           f"{service} has no healthcheck, so depends_on service_healthy would wait forever")
print("volumes: models rw in notebook, ro in agent; store rw in agent, ro in api")

if failures:
    print("\n".join("FAIL " + f for f in failures))
    sys.exit(1)
EOF

step "Dockerfiles: base images are build ARGs, COPY sources exist"
"$PY" deploy/check-dockerfiles.py

step "pytest notebook-image/tests"
set +e
"$PY" -m pytest notebook-image/tests -q -p no:cacheprovider \
  ${PYTEST_REPORT:+--junitxml "$PYTEST_REPORT"}
status=$?
set -e
if [[ $status -ne 0 ]]; then
  echo "check.sh: pytest failed (exit $status)" >&2
  exit "$status"
fi
echo "check.sh: all checks passed"
