#!/usr/bin/env bash
# Quick KServe v2 infer benchmark with wrk.
#
#   loadtest/wrk/run.sh [BASE_URL] [MODEL] [DURATION]     defaults: http://127.0.0.1:8080 demo 10s
#
# Environment: INFER_BODY, MODEL_VERSION (see infer.lua), WRK_THREADS (2), WRK_CONNECTIONS (32),
# ALLOW_REMOTE=1 to load a host other than this machine.
set -euo pipefail

base_url="${1:-http://127.0.0.1:8080}"
model="${2:-demo}"
duration="${3:-10s}"
threads="${WRK_THREADS:-2}"
connections="${WRK_CONNECTIONS:-32}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }

# A load test stays on this machine unless asked otherwise: a typo must not load someone else's service.
host="${base_url#*://}"
host="${host%%/*}"
case "$host" in
  \[*\]*) host="${host%%]*}]" ;;   # [::1]:8080 -> [::1]
  *) host="${host%%:*}" ;;
esac
case "$host" in
  localhost | 127.* | "[::1]") ;;
  *)
    if [[ "${ALLOW_REMOTE:-0}" != 1 ]]; then
      echo "refusing to load $base_url: not a loopback address (set ALLOW_REMOTE=1 to allow)" >&2
      exit 2
    fi
    ;;
esac

if command -v curl >/dev/null && ! curl -fsS -o /dev/null --max-time 3 "${base_url%/}/v2/health/ready"; then
  echo "${base_url%/}/v2/health/ready is not answering 200: is the api up?" >&2
  exit 1
fi

echo "wrk: ${base_url} model=${model} duration=${duration} threads=${threads} connections=${connections}"
MODEL="$model" exec wrk -t"$threads" -c"$connections" -d"$duration" -s "$here/infer.lua" "$base_url"
