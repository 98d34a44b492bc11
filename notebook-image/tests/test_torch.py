import json
import os

import numpy as np
import onnx
import pytest

from modelsync_notebook import IR_VERSION, save_model

torch = pytest.importorskip("torch")


def test_saves_a_torch_module_that_onnxruntime_answers_the_same(models_dir):
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    module.train()
    x = torch.randn(4, 3)

    saved = save_model(module, "net", example_input=x, wait=False, models_dir=models_dir)

    assert module.training, "training mode is restored after export"
    manifest = json.loads(open(os.path.join(saved.path, "model.json")).read())
    assert manifest["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 3]}]
    assert manifest["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [-1, 2]}]
    assert manifest["example"][0]["shape"] == [1, 3]
    assert manifest["metadata"]["source"] == "torch"
    file = os.path.join(saved.path, "model.onnx")
    assert onnx.load(file).ir_version == IR_VERSION
    (y,) = ort.InferenceSession(file).run(None, {"input": x.numpy()})
    with torch.no_grad():
        np.testing.assert_allclose(y, module(x).numpy(), rtol=1e-5, atol=1e-6)


def test_a_torch_module_needs_an_example_input(models_dir):
    with pytest.raises(ValueError, match="example_input"):
        save_model(torch.nn.Linear(3, 1), "net", wait=False, models_dir=models_dir)
