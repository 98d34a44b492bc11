"""The gate of model.json: known inputs with the outputs the model object gave for them. The api
runs the same inputs on the saved version before it may serve, and refuses it (model.rejected)
when its answers differ by more than the tolerance: a broken export, a preprocessing or unit
mix-up, or an untrained copy never answers a client."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

# float32 round-off between the notebook's framework and the api's engine, nothing more
DEFAULT_TOLERANCE = {"abs": 1e-4, "rel": 1e-3}

_NUMPY = {
    "FP16": np.float16, "FP32": np.float32, "FP64": np.float64, "INT8": np.int8,
    "INT16": np.int16, "INT32": np.int32, "INT64": np.int64, "UINT8": np.uint8,
    "UINT16": np.uint16, "UINT32": np.uint32, "UINT64": np.uint64, "BOOL": np.bool_,
}


def build(obj: Any, onnx_model: Any, inputs: list[dict], outputs: list[dict],
          arrays: dict[str, np.ndarray], tolerance: dict | None) -> dict:
    """The ``gate`` of model.json: one case with ``arrays`` (by input name) as inputs and what
    ``obj`` (a torch module, an XGBoost booster, else ``onnx_model`` run by onnxruntime) answers
    for them as the expected outputs."""
    tolerance = _tolerance(tolerance)
    typed = {}
    for spec in inputs:
        if spec["name"] not in arrays:
            raise ValueError(f"gate inputs lack model input {spec['name']!r}")
        if spec["datatype"] not in _NUMPY:
            raise ValueError(f"gate input {spec['name']!r} is {spec['datatype']}, not numeric")
        typed[spec["name"]] = np.asarray(arrays[spec["name"]]).astype(_NUMPY[spec["datatype"]])
    results = _run(obj, onnx_model, [s["name"] for s in inputs], typed)
    if len(results) != len(outputs):
        raise ValueError(f"the model answered {len(results)} outputs, its signature has"
                         f" {len(outputs)}: cannot name the gate's expected outputs")
    return {
        "tolerance": tolerance,
        "cases": [{
            "inputs": [{"name": n, "datatype": s["datatype"], "shape": list(a.shape),
                        "data": _numbers(a)} for (n, a), s in zip(typed.items(), inputs)],
            "outputs": [{"name": s["name"], "data": _numbers(np.asarray(r))}
                        for s, r in zip(outputs, results)],
        }],
    }


def arrays_of(examples: list[dict]) -> dict[str, np.ndarray]:
    """model.json example tensors as arrays by name (the gate's inputs when none are given)."""
    return {e["name"]: np.asarray(e["data"], dtype=np.float64).reshape(e["shape"])
            for e in examples}


def _run(obj: Any, onnx_model: Any, names: list[str], arrays: dict[str, np.ndarray]) -> list:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.nn.Module):
        args = [torch.from_numpy(np.ascontiguousarray(arrays[n])) for n in names]
        was_training = obj.training
        obj.eval()  # dropout and batch norm as served
        try:
            with torch.no_grad():
                result = obj(*args)
        finally:
            obj.train(was_training)
        results = list(result) if isinstance(result, (tuple, list)) else [result]
        return [r.detach().cpu().numpy() for r in results]
    xgboost = sys.modules.get("xgboost")
    if xgboost is not None and isinstance(obj, (xgboost.Booster, xgboost.XGBModel)):
        booster = obj if isinstance(obj, xgboost.Booster) else obj.get_booster()
        return [np.asarray(booster.inplace_predict(arrays[names[0]]))]
    if onnx_model is None:
        raise ValueError(f"cannot run a {type(obj).__name__} to fill the gate")
    try:
        import onnxruntime
    except ImportError as e:
        raise ValueError("gate=True on an ONNX model needs onnxruntime to compute the expected"
                         " outputs (pip install onnxruntime)") from e
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        onnx_model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, arrays)


def _numbers(a: np.ndarray) -> list:
    return a.astype(np.int8 if a.dtype == np.bool_ else np.float64).ravel().tolist()


def _tolerance(tolerance: dict | None) -> dict:
    if tolerance is None:
        return dict(DEFAULT_TOLERANCE)
    if not isinstance(tolerance, dict) or not tolerance or set(tolerance) - {"abs", "rel"}:
        raise ValueError(f"gate_tolerance must be a dict with 'abs' and/or 'rel', got {tolerance!r}")
    for key, bound in tolerance.items():
        if not isinstance(bound, (int, float)) or not 0 <= bound < float("inf"):
            raise ValueError(f"gate_tolerance[{key!r}] must be a finite number >= 0, got {bound!r}")
    return {k: float(v) for k, v in tolerance.items()}
