"""Models the api loads in their own format rather than as ONNX: TorchScript modules (DJL's PyTorch
engine) and XGBoost boosters (DJL's XGBoost engine). Each gives the files of a version and the
model.json fields that describe it. The api image carries these engines only when built with them
(see the repository README, Engines)."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from typing import Any

import numpy as np

TORCHSCRIPT_FILE = "model.pt"
# Not model.json: that name is the manifest's.
XGBOOST_FILE = "booster.json"

_KSERVE = {
    "float32": "FP32", "float64": "FP64", "float16": "FP16", "int8": "INT8", "int16": "INT16",
    "int32": "INT32", "int64": "INT64", "uint8": "UINT8", "bool": "BOOL",
}


class Native:
    """A model saved in its engine's own format: files by name, and model.json's fields."""

    def __init__(self, engine: str, files: dict[str, bytes], inputs: list[dict],
                 outputs: list[dict], example: list[dict], source: str, versions: dict):
        self.engine, self.files, self.inputs, self.outputs = engine, files, inputs, outputs
        self.example, self.source, self.versions = example, source, versions

    @property
    def file(self) -> str:
        return next(iter(self.files))


def detect(obj: Any, example_input: Any) -> Native | None:
    """The native save of ``obj`` when it is a TorchScript module or an XGBoost booster, else
    None (then it goes through ONNX)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.jit.ScriptModule):
        return _torchscript(torch, obj, example_input)
    xgboost = sys.modules.get("xgboost")
    if xgboost is not None:
        if isinstance(obj, xgboost.Booster):
            return _xgboost(xgboost, obj, example_input)
        if hasattr(xgboost, "XGBModel") and isinstance(obj, xgboost.XGBModel):
            return _xgboost(xgboost, obj.get_booster(), example_input)
    return None


def _torchscript(torch: Any, module: Any, example_input: Any) -> Native:
    if example_input is None:
        raise ValueError(
            "saving a TorchScript module needs example_input (a tensor or tuple of tensors): the"
            " api reads a TorchScript model's inputs from model.json, not from the module")
    args = example_input if isinstance(example_input, tuple) else (example_input,)
    args = tuple(a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)) for a in args)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            result = module(*args)
    finally:
        module.train(was_training)
    results = list(result) if isinstance(result, (tuple, list)) else [result]
    if not all(isinstance(r, torch.Tensor) for r in results):
        raise ValueError("the TorchScript module must return a tensor or a tuple of tensors")
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    arrays = [a.detach().cpu().numpy() for a in args]
    inputs = _specs("input", arrays)
    outputs = _specs("output", [r.detach().cpu().numpy() for r in results])
    return Native("PyTorch", {TORCHSCRIPT_FILE: buffer.getvalue()}, inputs, outputs,
                  _example(inputs, arrays), "torchscript", {"torchVersion": torch.__version__})


def _xgboost(xgboost: Any, booster: Any, example_input: Any) -> Native:
    features = booster.num_features()
    if example_input is None:
        rows = np.zeros((1, features), dtype=np.float32)
    else:
        rows = np.asarray(_numpy(example_input), dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != features:
            raise ValueError(f"example_input must be rows of {features} features,"
                             f" got shape {list(rows.shape)}")
        rows = rows[:1]
    predicted = np.asarray(booster.inplace_predict(rows))
    out_shape = [-1] + list(predicted.shape[1:])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, XGBOOST_FILE)
        booster.save_model(path)
        with open(path, "rb") as f:
            data = f.read()
    inputs = [{"name": "input", "datatype": "FP32", "shape": [-1, features]}]
    outputs = [{"name": "output", "datatype": "FP32", "shape": out_shape}]
    return Native("XGBoost", {XGBOOST_FILE: data}, inputs, outputs, _example(inputs, [rows]),
                  "xgboost", {"xgboostVersion": xgboost.__version__})


def _specs(prefix: str, arrays: list[np.ndarray]) -> list[dict]:
    specs = []
    for i, a in enumerate(arrays):
        datatype = _KSERVE.get(str(a.dtype))
        if datatype is None:
            raise ValueError(f"{prefix} {i} has dtype {a.dtype}, which KServe cannot carry")
        name = prefix if len(arrays) == 1 else f"{prefix}_{i}"
        # The first dimension is the batch: any size.
        shape = [-1] + list(a.shape[1:]) if a.ndim > 0 else []
        specs.append({"name": name, "datatype": datatype, "shape": shape})
    return specs


def _example(inputs: list[dict], arrays: list[np.ndarray]) -> list[dict]:
    example = []
    for spec, a in zip(inputs, arrays):
        first = a[:1] if a.ndim > 0 else a
        data = first.astype(np.int8 if a.dtype == np.bool_ else np.float64).ravel().tolist()
        example.append({"name": spec["name"], "datatype": spec["datatype"],
                        "shape": list(first.shape), "data": data})
    return example


def _numpy(value: Any) -> Any:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return value
