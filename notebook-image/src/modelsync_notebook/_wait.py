"""Poll the api's KServe v2 readiness endpoint for one model version."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

POLL_FIRST = 0.02
POLL_MAX = 0.5


def until_ready(api_url: str, name: str, version: int, timeout: float) -> float:
    """Returns the seconds until ``GET /v2/models/{name}/versions/{version}/ready`` answered 200;
    raises TimeoutError, saying what the api last answered, when it does not within timeout."""
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
