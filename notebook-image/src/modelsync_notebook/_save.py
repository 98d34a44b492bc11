"""save_model: write a version directory the agent can trust, then wait for the api to serve it."""

from __future__ import annotations

import datetime as _dt
import errno
import getpass
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from typing import Any

import onnx

from . import _convert, _gate, _native, _rollout, _wait

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MODEL_FILE = "model.onnx"
MANIFEST_FILE = "model.json"
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class SavedModel:
    """Where a saved version lives and, when the helper waited, where and how fast it serves."""

    name: str
    version: int
    path: str
    infer_url: str | None = None
    ready_seconds: float | None = None
    rollout: str | None = None
    rollout_measures: dict | None = None


def save_model(
    model_or_path: Any,
    name: str,
    *,
    example_input: Any = None,
    metadata: dict | None = None,
    wait: bool = True,
    models_dir: str | os.PathLike | None = None,
    api_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    gate: bool = False,
    gate_inputs: Any = None,
    gate_tolerance: dict | None = None,
    rollout: Any = None,
    rollout_summary_after: int | None = None,
) -> SavedModel:
    """Saves a model as ``<models_dir>/<name>/<next version>/`` with its model file and
    ``model.json``, renamed into place in one step so the agent never sees half a save.

    Args:
        model_or_path: an ``onnx.ModelProto``, a path to a ``.onnx`` file, a ``torch.nn.Module``
            (exported with ``torch.onnx.export``; needs ``example_input``) or a scikit-learn model
            (converted with skl2onnx, which must be installed; needs ``example_input``), all saved
            as ``model.onnx`` for ONNX Runtime; or a TorchScript module (``torch.jit.script`` /
            ``torch.jit.trace``; needs ``example_input``), saved as ``model.pt`` for the PyTorch
            engine; or an XGBoost ``Booster`` (or ``XGBModel``), saved as ``booster.json`` for the
            XGBoost engine. The api serves the last two only when built with those engines.
        name: the model name, ``[A-Za-z0-9][A-Za-z0-9._-]{0,127}``.
        example_input: an array, tensor, tuple of them (one per input) or dict by input name.
            Its first row goes into ``model.json`` for the api to warm the model up with.
        metadata: free-form JSON-able facts (metrics, data set, git commit) kept in ``model.json``.
        wait: poll the api until this version is ready, then print the infer URL.
        models_dir: default ``$MODELSYNC_MODELS_DIR``.
        api_url: default ``$MODELSYNC_API_URL``; needed only when ``wait`` is true.
        timeout: seconds to wait for the api before ``TimeoutError``.
        gate: write a gate into ``model.json``: the example input (its first row) with what the
            model object given here answers for it. The api runs it on the saved version before
            it serves; if the answers differ by more than the tolerance the version is refused
            (``model.rejected``), the served one keeps serving, and the wait raises
            :class:`ModelRejected` with the differing values.
        gate_inputs: the gate's inputs instead (all rows kept; same forms as ``example_input``);
            implies ``gate=True``.
        gate_tolerance: ``{"abs": ..., "rel": ...}`` (either or both); default abs 1e-4, rel 1e-3.
        rollout: how the version replaces the served one, written into ``model.json``:
            ``"instant"``, ``"shadow"`` (runs a copy of live requests, compared with the served
            version's answers), ``"canary"`` (serves a growing share of requests), or a dict of
            the fields (``{"policy": "shadow", "promoteAfter": 100, "tolerance": {"abs": 1e-3}}``).
            With ``wait``, the helper then waits for the api's decision and prints the divergence
            (or the canary's error rate and p99); a roll back raises :class:`ModelRejected`.
        rollout_summary_after: stop waiting once the candidate ran this many requests and print
            the measures so far, leaving the decision to the api (or an admin).

    The model is written with ONNX IR version 8 and opset <= 21, because the ONNX Runtime in the
    api rejects the IR version 14 that onnx >= 1.23 writes by default.
    """
    _check_name(name)
    models_dir = _models_dir(models_dir)
    if wait:
        api_url = _api_url(api_url)
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")

    gated = gate or gate_inputs is not None
    policy = _rollout.build(rollout)
    native = _native.detect(model_or_path, example_input)
    if native is not None:
        files = native.files
        manifest = {
            "engine": native.engine,
            "file": native.file,
            "inputs": native.inputs,
            "outputs": native.outputs,
            "example": native.example,
            "metadata": {**native.versions, **_metadata(native.source, metadata)},
        }
        if gated:
            manifest["gate"] = _gate.build(
                model_or_path, None, native.inputs, native.outputs,
                _gate_arrays(native.inputs, native.example, gate_inputs), gate_tolerance)
    else:
        model, source = _convert.to_onnx(model_or_path, example_input)
        inputs, outputs = _convert.signature(model)
        examples = _convert.example(model, inputs, example_input)
        if examples:
            _convert.run_example(model, examples)
        files = {MODEL_FILE: model.SerializeToString()}
        manifest = {
            "engine": "OnnxRuntime",
            "file": MODEL_FILE,
            "inputs": inputs,
            "outputs": outputs,
            "example": examples,
            "metadata": _metadata(source, metadata),
        }
        if gated:
            manifest["gate"] = _gate.build(
                model_or_path, model, inputs, outputs,
                _gate_arrays(inputs, examples, gate_inputs), gate_tolerance)
    if policy is not None:
        manifest["rollout"] = policy
    version, path = _write_version(models_dir, name, files, manifest)
    if not wait:
        return SavedModel(name, version, path)
    seconds = _wait.until_ready(api_url, name, version, timeout)
    infer_url = f"{api_url.rstrip('/')}/v2/models/{name}/versions/{version}/infer"
    if policy is not None and policy["policy"] != "instant":
        print(f"{name} version {version} loaded after {seconds:.2f} s; its {policy['policy']}"
              " rollout is under way")
        decision, measures = _rollout.until_decided(
            api_url, name, version, timeout, rollout_summary_after)
        print(f"{name} version {version}: {decision} ({_rollout.describe(measures)})")
        return SavedModel(name, version, path, infer_url, seconds, decision, measures)
    print(f"{name} version {version} is being served after {seconds:.2f} s: POST {infer_url}"
          f" (latest: {api_url.rstrip('/')}/v2/models/{name}/infer)")
    return SavedModel(name, version, path, infer_url, seconds)


def _gate_arrays(inputs: list[dict], examples: list[dict], gate_inputs: Any) -> dict:
    if gate_inputs is not None:
        return _convert._arrays_by_name(inputs, gate_inputs)
    if not examples:
        raise ValueError("gate=True needs an input to run: pass example_input= or gate_inputs=")
    return _gate.arrays_of(examples)


def _check_name(name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    lower = name.lower()
    if (not NAME_PATTERN.fullmatch(name) or ".." in name
            or lower.endswith(".tmp") or lower.endswith(".part")):
        raise ValueError(
            f"invalid model name {name!r}: use 1-128 letters, digits, '.', '_' or '-', starting"
            " with a letter or digit, without '..' and not ending in .tmp or .part"
        )


def _models_dir(models_dir: Any) -> str:
    path = models_dir if models_dir is not None else os.environ.get("MODELSYNC_MODELS_DIR")
    if not path:
        raise ValueError("no models directory: pass models_dir= or set MODELSYNC_MODELS_DIR")
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise ValueError(f"models directory {path} does not exist (is the volume mounted?)")
    return path


def _api_url(api_url: str | None) -> str:
    url = api_url or os.environ.get("MODELSYNC_API_URL")
    if not url:
        raise ValueError("wait=True needs the api: pass api_url= or set MODELSYNC_API_URL"
                         " (or pass wait=False to only save)")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"api_url must start with http:// or https://, got {url!r}")
    return url


def _metadata(source: str, extra: dict | None) -> dict:
    if extra is not None and not isinstance(extra, dict):
        raise TypeError(f"metadata must be a dict, got {type(extra).__name__}")
    meta = {
        "savedAt": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
        "savedBy": _user(),
        "source": source,
        "onnxVersion": onnx.__version__,
    }
    meta.update(extra or {})
    # Round-trip through JSON now so an unserialisable value fails before anything is written;
    # top-level nulls are dropped because the api's manifest record does not accept them.
    meta = json.loads(json.dumps(meta, default=_jsonable))
    return {k: v for k, v in meta.items() if v is not None}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays, torch tensors
        return value.tolist()
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry for the uid, as in some containers
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _write_version(models_dir: str, name: str, files: dict[str, bytes],
                   manifest: dict) -> tuple[int, str]:
    model_dir = os.path.join(models_dir, name)
    os.makedirs(model_dir, mode=0o755, exist_ok=True)
    # Hidden, so the agent ignores it until the rename makes it a version directory.
    tmp = os.path.join(model_dir, f".tmp-{uuid.uuid4().hex}")
    os.mkdir(tmp, 0o755)
    try:
        for file, data in files.items():
            _write_file(os.path.join(tmp, file), data)
        _write_file(os.path.join(tmp, MANIFEST_FILE),
                    (json.dumps(manifest, indent=2) + "\n").encode())  # written last
        _fsync_dir(tmp)
        version = _next_version(model_dir)
        while True:
            target = os.path.join(model_dir, str(version))
            try:
                if os.path.lexists(target):
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), target)
                os.rename(tmp, target)
                break
            except OSError as e:
                # Another save took this number between the scan and the rename: take the next.
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                version += 1
        _fsync_dir(model_dir)
        return version, target
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _next_version(model_dir: str) -> int:
    versions = [int(e) for e in os.listdir(model_dir) if re.fullmatch(r"[0-9]{1,18}", e)]
    return max(versions, default=0) + 1


def _write_file(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (and Docker Desktop mounts) refuse fsync on a directory
    finally:
        os.close(fd)
