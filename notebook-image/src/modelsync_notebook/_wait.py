"""Poll the api's KServe v2 readiness endpoint for one model version; stop when the api rejected it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

POLL_FIRST = 0.02
POLL_MAX = 0.5
REJECTED = "rejected"
ROLLED_BACK = "rolled back"


class ModelRejected(Exception):
    """The api refused the saved version: its gate's answers differ (the message lists the
    differing values), or it has none and the api requires one. The served version keeps serving."""


def until_ready(api_url: str, name: str, version: int, timeout: float) -> float:
    """Returns the seconds until ``GET /v2/models/{name}/versions/{version}/ready`` answered 200;
    raises TimeoutError, saying what the api last answered, when it does not within timeout, and
    ModelRejected as soon as the api's repository index says it refused the version."""
    url = (f"{api_url.rstrip('/')}/v2/models/{urllib.parse.quote(name, safe='')}"
           f"/versions/{version}/ready")
    start = time.monotonic()
    deadline = start + timeout
    pause = POLL_FIRST
    last = "no answer yet"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(
                f"{name} version {version} was saved but the api at {api_url} did not report it"
                f" ready within {timeout:g} s (last answer: {last}). Is the agent watching this"
                " models directory, and is the api connected to the same Kafka?")
        try:
            with urllib.request.urlopen(url, timeout=min(max(remaining, 0.05), 5.0)) as response:
                if response.status == 200:
                    return time.monotonic() - start
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as e:
            last = f"HTTP {e.code}{_error_text(e)}"
            if e.code == 404:  # not loaded (still loading, or refused), or a shadow's candidate
                entry = _indexed(api_url, name, version, remaining)
                reason = str(entry.get("reason", "")) if entry is not None else ""
                if reason.startswith((REJECTED, ROLLED_BACK)):
                    raise ModelRejected(
                        f"{name} version {version} was saved but the api refused to serve it"
                        f" (the version it served before keeps serving): {reason}") from None
                if entry is not None and entry.get("state") == "READY":
                    # loaded and held back: a shadow's candidate answers no request, not even ready
                    return time.monotonic() - start
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            last = f"cannot connect: {reason}"
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, POLL_MAX)


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        body = error.read(300).decode("utf-8", "replace").strip()
    except Exception:
        return ""
    finally:
        error.close()
    return f" {body}" if body else ""


def _indexed(api_url: str, name: str, version: int, remaining: float) -> dict | None:
    """The version's entry in the api's repository index (its state, and the reason when it is
    not loaded), or None when the index does not list it or cannot be read (the wait goes on)."""
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}/v2/repository/index", data=b"{}",
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=min(max(remaining, 0.05), 5.0)) as response:
            entries = json.loads(response.read(1 << 22))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    for entry in entries if isinstance(entries, list) else []:
        if (isinstance(entry, dict) and entry.get("name") == name
                and str(entry.get("version")) == str(version)):
            return entry
    return None
