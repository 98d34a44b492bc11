"""Turn what a notebook holds (ONNX model, .onnx path, PyTorch module, scikit-learn model) into an
ONNX ModelProto the api's ONNX Runtime can load, plus its signature and an example input."""

from __future__ import annotations

import io
import os
import sys
import warnings
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper

# The ONNX Runtime bundled in the Java api (1.21) rejects newer IR versions: onnx >= 1.23 writes
# IR 14 by default, so every model is written with IR 8 and an opset no newer than 21.
IR_VERSION = 8
MAX_OPSET = 21

_KSERVE_TYPES = {
    TensorProto.BOOL: "BOOL",
    TensorProto.UINT8: "UINT8",
    TensorProto.UINT16: "UINT16",
    TensorProto.UINT32: "UINT32",
    TensorProto.UINT64: "UINT64",
    TensorProto.INT8: "INT8",
    TensorProto.INT16: "INT16",
    TensorProto.INT32: "INT32",
    TensorProto.INT64: "INT64",
    TensorProto.FLOAT16: "FP16",
    TensorProto.FLOAT: "FP32",
    TensorProto.DOUBLE: "FP64",
    TensorProto.STRING: "BYTES",
}


def to_onnx(obj: Any, example_input: Any) -> tuple[onnx.ModelProto, str]:
    """Returns the model as ONNX and a word for where it came from (onnx, file, torch, sklearn)."""
    if isinstance(obj, onnx.ModelProto):
        return _compatible(_copy(obj)), "onnx"
    if isinstance(obj, (str, os.PathLike)):
        return _compatible(_load_file(os.fspath(obj))), "file"
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.nn.Module):
        return _compatible(_from_torch(torch, obj, example_input)), "torch"
    sklearn_base = sys.modules.get("sklearn.base")
    if sklearn_base is not None and isinstance(obj, sklearn_base.BaseEstimator):
        return _compatible(_from_sklearn(obj, example_input)), "sklearn"
    raise TypeError(
        f"save_model cannot save a {type(obj).__module__}.{type(obj).__qualname__}: pass an"
        " onnx.ModelProto, a path to a .onnx file, a torch.nn.Module (with example_input) or a"
        " scikit-learn model (needs skl2onnx)"
    )


def _copy(model: onnx.ModelProto) -> onnx.ModelProto:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy


def _load_file(path: str) -> onnx.ModelProto:
    if not path.endswith(".onnx"):
        raise ValueError(f"{path}: only .onnx files can be saved by path")
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such file")
    try:
        return onnx.load(path)  # also pulls in external data stored beside it
    except Exception as e:  # protobuf raises several unrelated types for garbage
        raise ValueError(f"{path} is not an ONNX model: {e}") from e


def _from_torch(torch: Any, module: Any, example_input: Any) -> onnx.ModelProto:
    if example_input is None:
        raise ValueError("saving a torch.nn.Module needs example_input (a tensor or tuple of tensors)")
    args = example_input if isinstance(example_input, tuple) else (example_input,)
    args = tuple(a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)) for a in args)
    input_names = ["input"] if len(args) == 1 else [f"input_{i}" for i in range(len(args))]
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            outputs = module(*args)
        n_out = len(outputs) if isinstance(outputs, (tuple, list)) else 1
        output_names = ["output"] if n_out == 1 else [f"output_{i}" for i in range(n_out)]
        kwargs = dict(input_names=input_names, output_names=output_names,
                      opset_version=min(MAX_OPSET, 18))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                # The TorchScript exporter is fast and needs no onnxscript; newer torch may drop it.
                buffer = io.BytesIO()
                torch.onnx.export(module, args, buffer, dynamo=False, **kwargs,
                                  dynamic_axes={n: {0: "batch"} for n in input_names + output_names})
                return onnx.load_from_string(buffer.getvalue())
            except Exception as legacy_error:
                try:
                    program = torch.onnx.export(
                        module, args, dynamo=True, verbose=False, **kwargs,
                        dynamic_shapes=tuple({0: torch.export.Dim("batch")} for _ in args))
                    return program.model_proto
                except Exception as e:
                    raise ValueError(
                        f"torch.onnx.export failed: {legacy_error}; with dynamo=True: {e}") from e
    finally:
        module.train(was_training)


def _from_sklearn(model: Any, example_input: Any) -> onnx.ModelProto:
    try:
        import skl2onnx
    except ImportError:
        raise TypeError(
            "saving a scikit-learn model needs skl2onnx, which is not installed: `pip install"
            " skl2onnx`, or convert it to ONNX yourself and pass the onnx.ModelProto"
        ) from None
    if example_input is None:
        raise ValueError("saving a scikit-learn model needs example_input (a 2-D array of rows)")
    rows = np.asarray(example_input)
    if rows.dtype.kind == "f":
        rows = rows.astype(np.float32)
    # zipmap=False keeps classifier probabilities a plain tensor instead of a list of maps.
    options = {id(model): {"zipmap": False}} if hasattr(model, "predict_proba") else None
    return skl2onnx.to_onnx(model, rows[:1], target_opset=MAX_OPSET, options=options)


def _compatible(model: onnx.ModelProto) -> onnx.ModelProto:
    """Sets IR version 8 and, when needed, converts the default-domain opset down to 21."""
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    if opset is not None and opset > MAX_OPSET:
        from onnx import version_converter

        try:
            model = version_converter.convert_version(model, MAX_OPSET)
        except Exception as e:
            raise ValueError(
                f"the model uses ONNX opset {opset}; the api supports up to {MAX_OPSET} and"
                f" converting failed: {e}. Export it again with opset_version={MAX_OPSET}"
            ) from e
    model.ir_version = min(model.ir_version or IR_VERSION, IR_VERSION)
    if model.ir_version < 3:
        model.ir_version = IR_VERSION
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        raise ValueError(f"the model is not valid ONNX (IR version {IR_VERSION}): {e}") from e
    return model


def signature(model: onnx.ModelProto) -> tuple[list[dict], list[dict]]:
    """The graph's inputs (less initializers) and outputs as KServe tensor specs."""
    initializers = {i.name for i in model.graph.initializer}
    inputs = [_spec(v) for v in model.graph.input if v.name not in initializers]
    outputs = [_spec(v) for v in model.graph.output]
    return [s for s in inputs if s], [s for s in outputs if s]


def _spec(value: onnx.ValueInfoProto) -> dict | None:
    if not value.type.HasField("tensor_type"):
        return None  # sequences and maps have no KServe datatype
    tensor = value.type.tensor_type
    datatype = _KSERVE_TYPES.get(tensor.elem_type)
    if datatype is None:
        return None
    shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else -1
             for d in tensor.shape.dim]
    return {"name": value.name, "datatype": datatype, "shape": shape}


def example(model: onnx.ModelProto, inputs: list[dict], example_input: Any) -> list[dict]:
    """The example tensors for model.json: the given input (first row only), or zeros of the
    declared shape with every unknown size set to 1."""
    if not inputs or any(s["datatype"] == "BYTES" for s in inputs):
        return []
    arrays = _arrays_by_name(inputs, example_input)
    examples = []
    for spec in inputs:
        np_type = _np_type(model, spec["name"])
        if spec["name"] in arrays:
            array = np.asarray(arrays[spec["name"]]).astype(np_type, copy=False)
            if array.ndim >= 1 and array.shape[0] > 1 and spec["shape"][:1] == [-1]:
                array = array[:1]
        else:
            array = np.zeros([1 if d < 0 else d for d in spec["shape"]], dtype=np_type)
        if len(spec["shape"]) != array.ndim:
            raise ValueError(
                f"example input {spec['name']!r} has shape {list(array.shape)}, the model"
                f" expects {spec['shape']}"
            )
        data = array.astype(np.float64).ravel().tolist() if array.dtype != np.bool_ else \
            array.astype(np.int8).ravel().tolist()
        examples.append({"name": spec["name"], "datatype": spec["datatype"],
                         "shape": list(array.shape), "data": data})
    return examples


def _arrays_by_name(inputs: list[dict], example_input: Any) -> dict[str, Any]:
    if example_input is None:
        return {}
    if isinstance(example_input, dict):
        unknown = set(example_input) - {s["name"] for s in inputs}
        if unknown:
            raise ValueError(f"example_input names {sorted(unknown)} are not model inputs"
                             f" {[s['name'] for s in inputs]}")
        return {k: _numpy(v) for k, v in example_input.items()}
    values = list(example_input) if isinstance(example_input, tuple) else [example_input]
    if len(values) != len(inputs):
        raise ValueError(f"the model has {len(inputs)} inputs, example_input gives {len(values)}:"
                         " pass a dict {input name: array}")
    return {spec["name"]: _numpy(v) for spec, v in zip(inputs, values)}


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # torch.Tensor, without importing torch
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _np_type(model: onnx.ModelProto, name: str) -> np.dtype:
    value = next(v for v in model.graph.input if v.name == name)
    return helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type)


def run_example(model: onnx.ModelProto, examples: list[dict]) -> None:
    """Runs the example through onnxruntime when it is installed, so a model the api could not
    warm up fails here, in the notebook, rather than as a load_failed event."""
    try:
        import onnxruntime
    except ImportError:
        return
    feeds = {}
    for e in examples:
        np_type = _np_type(model, e["name"])
        feeds[e["name"]] = np.asarray(e["data"], dtype=np.float64).astype(np_type).reshape(e["shape"])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"])
        session.run(None, feeds)
    except Exception as e:
        raise ValueError(f"onnxruntime could not run the model on its example input: {e}") from e
