#!/usr/bin/env bash
# Runs the Compose project for real, in containers, with Podman: builds the agent, api and notebook
# images from the project's own Dockerfiles, starts compose.yaml (docker-compose 1.29 through
# Podman's socket), saves a model from inside the notebook container, reads the answer from the api
# container's published port, scales the api to 2, and brings everything down again, volumes too.
# Last line: `served <model> v<N> from the api container in <ms> ms`.
#
# No registry can be reached here, so the base images are made on this machine and passed to the
# Dockerfiles as build ARGs (their defaults are the real images):
#   localhost/modelsync-smoke/debian:bookworm   debootstrap --variant=minbase (apt mirror read from
#                                               this machine's apt sources), podman import
#   .../jre, .../maven, .../python              Debian's OpenJDK 17 JRE / JDK + Maven / python3
#   .../kafka                                   Kafka's jars from Maven Central (deploy/smoke/kafka)
#   .../uv-standin                              A STAND-IN for uv (deploy/smoke/uv-standin.py):
#                                               venv + pip with the local package index
#   .../prometheus                              Debian's prometheus (SMOKE_OBSERVABILITY=1, default)
# They stay in Podman's storage: the next run reuses the Debian image (SMOKE_REBUILD_BASE=1 remakes
# it) and Podman's layer cache for the rest.
# Maven inside the image builds reads this machine's ~/.m2/repository through an overlay mount
# (writes are thrown away), so only what is missing there is downloaded.
#
# Run as root (it apt-installs podman etc. when missing and may add settings to
# /etc/containers/containers.conf). Bounded by SMOKE_TIMEOUT seconds (default 1500); it stops only
# the containers, volumes, network and Podman service it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

if [[ -z "${SMOKE_BOUNDED:-}" ]]; then
  export SMOKE_BOUNDED=1
  exec timeout -k 30 "${SMOKE_TIMEOUT:-1500}" "$0" "$@"
fi

PROJECT=modelsync-smoke
IMG=localhost/modelsync-smoke
MODEL=${SMOKE_MODEL:-smoke-linear}
OBSERVABILITY=${SMOKE_OBSERVABILITY:-1}
WORK="$(mktemp -d "${TMPDIR:-/tmp}/compose-smoke.XXXXXX")"
SOCK="$WORK/podman.sock"
STARTED_SERVICE="" HEALTH_LOOP="" UP=0
T0=$(date +%s)

log() { printf '[compose-smoke %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { log "FAILED: $*"; exit 1; }
ms_now() { date +%s%3N; }

compose() {
  local profile=()
  [[ "$OBSERVABILITY" == 1 ]] && profile=(--profile observability)
  DOCKER_HOST="unix://$SOCK" docker-compose -p "$PROJECT" -f compose.yaml -f "$WORK/compose.smoke.yaml" \
    "${profile[@]}" "$@"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ "$UP" == 1 ]]; then
    if [[ $status -ne 0 ]]; then
      log "logs of the failed run:"
      compose logs --no-color --tail=40 2>&1 | sed 's/^/  /' || true
    fi
    compose down -v --remove-orphans >/dev/null 2>&1 || log "compose down failed"
  fi
  [[ -n "$HEALTH_LOOP" ]] && kill "$HEALTH_LOOP" 2>/dev/null
  [[ -n "$STARTED_SERVICE" ]] && kill "$STARTED_SERVICE" 2>/dev/null && wait "$STARTED_SERVICE" 2>/dev/null
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'log "FAILED: line $LINENO: $BASH_COMMAND"' ERR
trap 'log "interrupted"; exit 124' INT TERM

# --- what it needs -----------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || die "run as root (podman with overlay storage, apt-get, containers.conf)"
need=()
for tool in podman:podman runc:runc debootstrap:debootstrap docker-compose:docker-compose curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [[ ${#need[@]} -gt 0 ]]; then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
python3 deploy/smoke/containers-conf.py /etc/containers/containers.conf

# --- base images, made here and kept in Podman's storage ----------------------------------------
image_exists() { podman image exists "$1"; }

# The Debian mirror this machine's apt uses (never a host written into the repository).
apt_mirror() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^deb / && $3 == "bookworm" {print $2; exit}
           /^URIs:/ {u = $2}
           /^Suites:/ && / bookworm( |$)/ && u ~ /debian\/?$/ {print u; exit}' || true
}

B0=$(date +%s)
if [[ "${SMOKE_REBUILD_BASE:-0}" == 1 ]] || ! image_exists "$IMG/debian:bookworm"; then
  mirror="$(apt_mirror)"
  [[ -n "$mirror" ]] || die "no Debian bookworm mirror in /etc/apt/sources.list*"
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$mirror" > "$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; die "debootstrap"; }
  rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
  tar -C "$WORK/rootfs" -c . | podman import - "$IMG/debian:bookworm" >/dev/null 2>&1
  rm -rf "$WORK/rootfs"
fi

build() { # build TAG [podman build args...]: quiet unless it fails
  local tag=$1; shift
  if ! podman build --network=host --layers -t "$tag" "$@" > "$WORK/build.log" 2>&1; then
    tail -40 "$WORK/build.log"
    die "podman build $tag"
  fi
  image_exists "$tag" || die "podman build $tag made no image"
}
base_image() { # base_image NAME [args]: from Podman's layer cache unless its Containerfile changed
  local tag="$IMG/$1"; shift
  image_exists "$tag" || log "building $tag"
  build "$tag" "$@"
}
base_image jre --build-arg BASE="$IMG/debian:bookworm" -f deploy/smoke/jre.Containerfile deploy/smoke
base_image maven --build-arg BASE="$IMG/jre" -f deploy/smoke/maven.Containerfile deploy/smoke
base_image python --build-arg BASE="$IMG/debian:bookworm" -f deploy/smoke/python.Containerfile deploy/smoke
base_image uv-standin -f deploy/smoke/uv-standin.Containerfile deploy/smoke
[[ "$OBSERVABILITY" == 1 ]] && base_image prometheus --build-arg BASE="$IMG/debian:bookworm" -f deploy/smoke/prometheus.Containerfile deploy/smoke
M2="${SMOKE_M2:-$HOME/.m2/repository}"
mkdir -p "$M2"
m2_mount=(-v "$M2:/root/.m2/repository:O")
# Where this machine reaches Maven Central through a TLS-inspecting proxy, its Java trust store
# (with that proxy's CA) is lent to the Maven steps; it is a build-time mount, not in any image.
[[ -f /etc/ssl/certs/java/cacerts ]] && m2_mount+=(-v /etc/ssl/certs/java/cacerts:/etc/ssl/certs/java/cacerts:ro)
base_image kafka --build-arg MAVEN_IMAGE="$IMG/maven" --build-arg JRE_IMAGE="$IMG/jre" "${m2_mount[@]}" \
  -f deploy/smoke/kafka/Containerfile deploy/smoke/kafka
log "base images ready in $(($(date +%s) - B0)) s"

# --- the project's images, from its own Dockerfiles ---------------------------------------------
B1=$(date +%s)
java_args=(--build-arg MAVEN_IMAGE="$IMG/maven" --build-arg JRE_IMAGE="$IMG/jre" "${m2_mount[@]}")
# Docker's image format: an OCI image has no HEALTHCHECK, podman build would drop them all.
# The three builds run side by side (Maven's CPU, pip's disk); each logs to its own file.
project_build() { # project_build NAME [podman build args...]
  local name=$1; shift
  podman build --format docker --network=host --layers -t "$IMG/$name" "$@" > "$WORK/build-$name.log" 2>&1
}
pypi=()
for d in /opt/pypi /opt/pypi-more /opt/wheels; do [[ -d $d ]] && pypi+=(-v "$d:$d:ro"); done
log "podman build agent, api, notebook (the repository's Dockerfiles; notebook with the uv stand-in)"
project_build agent "${java_args[@]}" -f agent/Dockerfile . & p_agent=$!
project_build api "${java_args[@]}" -f api/Dockerfile . & p_api=$!
project_build notebook --build-arg UV_IMAGE="$IMG/uv-standin" --build-arg PYTHON_IMAGE="$IMG/python" \
  "${pypi[@]}" notebook-image & p_notebook=$!
for name in agent api notebook; do
  pid_var="p_$name"
  if ! wait "${!pid_var}" || ! image_exists "$IMG/$name"; then
    tail -40 "$WORK/build-$name.log"
    die "podman build $name"
  fi
  podman image inspect --format '{{.Config.Healthcheck}}' "$IMG/$name" | grep -q CMD \
    || die "$IMG/$name has no HEALTHCHECK"
done
BUILD_S=$(($(date +%s) - B1))
log "project images built in $BUILD_S s"
podman images --filter "reference=$IMG/*" --format '  {{.Repository}} {{.Size}}'

# --- ports: compose.yaml's variables, moved off the defaults when those are taken ----------------
free_port() { python3 -c 'import socket,sys
for p in range(int(sys.argv[1]), int(sys.argv[1]) + 200):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError: pass' "$1"; }
API_FIRST=$(free_port "${SMOKE_PORT_BASE:-18080}")
# Podman refuses compose.yaml's default host port range for one container port (8080-8089:8080;
# "strconv.Atoi: parsing" error), which Docker accepts. "127.0.0.1:" makes it 127.0.0.1::8080
# (and 127.0.0.1::8001 for gRPC): each replica gets free ports on the loopback, read back with
# `podman port`.
export API_PORTS="127.0.0.1:" API_GRPC_PORTS="127.0.0.1:"
export AGENT_PORT=$(free_port $((API_FIRST + 10)))
export NOTEBOOK_PORT=$(free_port $((API_FIRST + 20)))
export PROMETHEUS_PORT=$(free_port $((API_FIRST + 30)))
export GRAFANA_PORT=$(free_port $((API_FIRST + 40)))
export KAFKA_IMAGE="$IMG/kafka" PROMETHEUS_IMAGE="$IMG/prometheus"

# Test-only override: the locally built images instead of building/pulling, Grafana left out
# (no Debian package; see README). compose.yaml itself is used as users run it.
cat > "$WORK/compose.smoke.yaml" <<EOF
version: "3.9"
services:
  agent: {image: "$IMG/agent"}
  api: {image: "$IMG/api"}
  notebook: {image: "$IMG/notebook"}
EOF

# --- Podman's socket, health checks, up ---------------------------------------------------------
podman system service --time=0 "unix://$SOCK" > "$WORK/service.log" 2>&1 &
STARTED_SERVICE=$!
for _ in $(seq 100); do [[ -S "$SOCK" ]] && break; sleep 0.1; done
[[ -S "$SOCK" ]] || die "podman system service did not open $SOCK"

containers() { podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}'; }
# Podman runs health checks from systemd timers; there is no systemd here, so run them in a loop.
( while sleep 1; do
    for c in $(containers); do podman healthcheck run "$c" >/dev/null 2>&1 || true; done
  done ) &
HEALTH_LOOP=$!

health_of() { podman inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null || echo none; }
wait_healthy() { # wait_healthy SECONDS: every container with a health check is healthy
  local deadline=$(($(date +%s) + $1)) c pending
  while :; do
    pending=""
    for c in $(containers); do
      case "$(health_of "$c")" in healthy | "") ;; *) pending+=" $c" ;; esac
    done
    [[ -z "$pending" ]] && return 0
    (($(date +%s) < deadline)) || die "not healthy after $1 s:$pending"
    sleep 0.5
  done
}

service_names=(kafka agent api notebook)
[[ "$OBSERVABILITY" == 1 ]] && service_names+=(prometheus)
log "docker-compose up -d ${service_names[*]} (project $PROJECT)"
UP=1
U0=$(ms_now)
compose up -d --no-build "${service_names[@]}" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; die "compose up"; }
wait_healthy 240
UP_MS=$(($(ms_now) - U0))
log "all healthy $UP_MS ms after up: $(containers | tr '\n' ' ')"

# --- save from the notebook container, answer from the api's published port ----------------------
NOTEBOOK="$(containers | grep _notebook_ | head -1)"
save() { # save SLOPE: saves y = SLOPE*x from inside the notebook container; last line "VERSION SECONDS"
  podman exec -i "$NOTEBOOK" python - "$MODEL" "$1" <<'EOF'
import sys
import numpy as np
from onnx import TensorProto, helper
from modelsync_notebook import save_model

name, slope = sys.argv[1], float(sys.argv[2])
graph = helper.make_graph(
    [helper.make_node("Mul", ["x", "w"], ["y"])], "linear",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])],
    [helper.make_tensor("w", TensorProto.FLOAT, [1], [slope])])
saved = save_model(helper.make_model(graph), name, example_input=np.ones((1, 1), np.float32),
                   timeout=60)
print(saved.version, f"{saved.ready_seconds:.4f}")
EOF
}
infer() { # infer PORT VERSION: y for x = 2 from the api container published on 127.0.0.1:PORT
  curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    -d '{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[2.0]}]}' \
    "http://127.0.0.1:$1/v2/models/$MODEL/versions/$2/infer" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["outputs"][0]["data"][0])'
}
expect_answer() { # expect_answer PORT VERSION WANT
  local got
  got="$(infer "$1" "$2")" || die "no answer from 127.0.0.1:$1 for $MODEL v$2"
  python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 1e-6)' "$got" "$3" \
    || die "127.0.0.1:$1 answered $got for $MODEL v$2, expected $3"
  log "127.0.0.1:$1 $MODEL v$2: y(2) = $got"
}
published_port() { podman port "$1" 8080/tcp | head -1 | sed 's/.*://'; }

read -r V1 S1 <<< "$(save 3 | tail -1)" || die "save_model in the notebook container"
log "notebook saved $MODEL v$V1; the api (http://api:8080 from the notebook) served it after $S1 s"
API1="$(containers | grep _api_1$)"
expect_answer "$(published_port "$API1")" "$V1" 6

# --- two api replicas: both serve the next save ----------------------------------------------------
log "docker-compose up -d --scale api=2"
compose up -d --no-build --no-recreate --scale api=2 api > "$WORK/scale.log" 2>&1 \
  || { cat "$WORK/scale.log"; die "scale api=2"; }
wait_healthy 120
read -r V2 S2 <<< "$(save 5 | tail -1)" || die "second save_model in the notebook container"
log "notebook saved $MODEL v$V2, ready after $S2 s"
for c in $(containers | grep _api_); do
  # each replica as compose.yaml runs it: read-only root file system, not root
  [[ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$c")" == true ]] \
    || die "$c: the root file system is writable"
  uid="$(podman exec "$c" id -u)"
  [[ "$uid" != 0 ]] || die "$c runs as root"
  ! podman exec "$c" sh -c 'echo x > /app/probe' 2>/dev/null || die "$c could write /app/probe"
  log "$c: read-only root file system, uid $uid"
  port="$(published_port "$c")"
  # The notebook waited for one replica (http://api:8080 is either); give the other a moment.
  for _ in $(seq 50); do infer "$port" "$V2" >/dev/null 2>&1 && break; sleep 0.2; done
  expect_answer "$port" "$V2" 10
done

# --- observability: Prometheus scrapes the api -----------------------------------------------------
if [[ "$OBSERVABILITY" == 1 ]]; then
  prom="http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query?query=up"
  for _ in $(seq 60); do
    up="$(curl -fsS --max-time 5 "$prom" 2>/dev/null | python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(" ".join(str(x["metric"].get("job")) + "=" + x["value"][1] for x in r))' 2>/dev/null || true)"
    [[ "$up" == *"api"*"=1"* ]] && break
    sleep 1
  done
  [[ "$up" == *"=1"* ]] || die "Prometheus does not scrape the api (up: ${up:-nothing})"
  log "Prometheus up{}: $up"
fi

log "docker-compose down -v"
compose down -v --remove-orphans > "$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; die "compose down"; }
UP=0
left="$(containers)"
[[ -z "$left" ]] || die "containers left after down: $left"
log "summary: project images built in $BUILD_S s, up to all healthy $UP_MS ms, save-to-serve from the notebook ${S1} s and ${S2} s (2 replicas)"
echo "served $MODEL v$V2 from the api container in $(python3 -c "print(round(float('$S2') * 1000))") ms"
