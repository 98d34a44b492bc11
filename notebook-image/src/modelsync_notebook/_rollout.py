"""The rollout policy save_model writes into model.json, and the wait for the api's decision."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ._wait import ModelRejected

POLICIES = ("instant", "shadow", "canary")
FIELDS = {"policy", "tolerance", "maxDivergentShare", "promoteAfter", "steps", "dwellMs",
          "minRequests", "maxErrorRateIncrease", "maxP99IncreaseMs"}
POLL = 0.2


def build(rollout: Any) -> dict | None:
    """model.json's ``rollout`` from ``"shadow"``-style names or a dict of its fields; None for
    none. Unknown policies and fields are refused here, before anything is written."""
    if rollout is None:
        return None
    policy = {"policy": rollout} if isinstance(rollout, str) else dict(rollout)
    if policy.get("policy") not in POLICIES:
        raise ValueError(f"rollout must be one of {', '.join(POLICIES)} (or a dict with 'policy'),"
                         f" got {rollout!r}")
    unknown = set(policy) - FIELDS
    if unknown:
        raise ValueError(f"unknown rollout field(s) {sorted(unknown)}; known: {sorted(FIELDS)}")
    return policy


def until_decided(api_url: str, name: str, version: int, timeout: float,
                  summary_after: int | None = None) -> tuple[str, dict | None]:
    """Follows ``GET /v2/repository/models/{name}/rollout`` until the api decided the rollout of
    ``version``: returns ``("promoted", measures)``, or raises ModelRejected when it rolled back.
    With ``summary_after``, returns ``("under way", measures)`` once the candidate ran that many
    requests. Raises TimeoutError with the last measures when neither happens within timeout."""
    base = api_url.rstrip("/")
    url = f"{base}/v2/repository/models/{urllib.parse.quote(name, safe='')}/rollout"
    deadline = time.monotonic() + timeout
    measures = None
    while time.monotonic() < deadline:
        view = _get_json(url)
        if view and str(view.get("candidate")) == str(version):
            measures = view.get("measures") or measures
            if summary_after is not None and measures and measures.get("requests", 0) >= summary_after:
                return "under way", measures
        elif view and str(view.get("candidate", "")).isdigit() and int(view["candidate"]) > version:
            return "superseded", measures
        elif view is None:
            state, reason = _index_state(base, name, version)
            if state == "READY":
                return "promoted", measures
            if reason is not None and reason.startswith("rolled back"):
                raise ModelRejected(
                    f"{name} version {version} was rolled back by its rollout (the version it"
                    f" served before keeps serving): {reason}" + _described(measures))
        time.sleep(POLL)
    raise TimeoutError(f"the rollout of {name} version {version} was not decided within"
                       f" {timeout:g} s{_described(measures)}")


def describe(measures: dict | None) -> str:
    """One line of a rollout's measures: a shadow's divergence or a canary's rates."""
    if not measures:
        return "no measures yet"
    if measures.get("policy") == "shadow":
        return (f"shadow of {measures.get('requests', 0)} requests"
                f" ({measures.get('dropped', 0)} dropped): max abs difference"
                f" {measures.get('maxAbs')}, mean abs {measures.get('meanAbs')},"
                f" {measures.get('divergentShare')} of rows beyond tolerance")
    return (f"canary at {measures.get('share')}% for {measures.get('requests', 0)} requests:"
            f" error rate {measures.get('candidateErrorRate')} (served"
            f" {measures.get('baselineErrorRate')}), p99 {measures.get('candidateP99Ms')} ms"
            f" (served {measures.get('baselineP99Ms')} ms)")


def _described(measures: dict | None) -> str:
    return f" ({describe(measures)})" if measures else ""


def _get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5.0) as response:
            return json.loads(response.read(1 << 20))
    except urllib.error.HTTPError as e:
        e.close()
        return None
    except (urllib.error.URLError, OSError, ValueError):
        return {}  # not reachable now: neither a rollout nor its end


def _index_state(base: str, name: str, version: int) -> tuple[str | None, str | None]:
    request = urllib.request.Request(
        f"{base}/v2/repository/index", data=b"{}",
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5.0) as response:
            entries = json.loads(response.read(1 << 22))
    except (urllib.error.URLError, OSError, ValueError):
        return None, None
    for entry in entries if isinstance(entries, list) else []:
        if (isinstance(entry, dict) and entry.get("name") == name
                and str(entry.get("version")) == str(version)):
            return entry.get("state"), entry.get("reason")
    return None, None
