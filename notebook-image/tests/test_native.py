"""TorchScript modules and XGBoost boosters are saved in their own format, for the api's PyTorch
and XGBoost engines."""

import json
import os

import numpy as np
import pytest

from modelsync_notebook import save_model


def read_manifest(path):
    with open(os.path.join(path, "model.json")) as f:
        return json.load(f)


def test_saves_a_torchscript_module_as_model_pt(models_dir):
    torch = pytest.importorskip("torch")
    linear = torch.nn.Linear(4, 3)
    with torch.no_grad():
        linear.weight.fill_(1.0)
        linear.bias.copy_(torch.tensor([0.0, 1.0, 2.0]))
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]])
    module = torch.jit.trace(linear.eval(), x)

    saved = save_model(module, "ts", example_input=x, metadata={"auc": 0.9}, wait=False,
                       models_dir=models_dir)

    assert sorted(os.listdir(saved.path)) == ["model.json", "model.pt"]
    manifest = read_manifest(saved.path)
    assert manifest["engine"] == "PyTorch"
    assert manifest["file"] == "model.pt"
    assert manifest["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}]
    assert manifest["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [-1, 3]}]
    assert manifest["example"] == [{"name": "input", "datatype": "FP32", "shape": [1, 4],
                                    "data": [1.0, 2.0, 3.0, 4.0]}]
    assert manifest["metadata"]["source"] == "torchscript"
    assert manifest["metadata"]["auc"] == 0.9
    assert manifest["metadata"]["torchVersion"] == torch.__version__
    loaded = torch.jit.load(os.path.join(saved.path, "model.pt"))
    assert loaded(x[:1]).tolist() == [[10.0, 11.0, 12.0]]


def test_a_torchscript_module_needs_an_example_input(models_dir):
    torch = pytest.importorskip("torch")
    module = torch.jit.script(torch.nn.Linear(4, 3))
    with pytest.raises(ValueError, match="example_input"):
        save_model(module, "ts", wait=False, models_dir=models_dir)
    assert os.listdir(models_dir) in ([], ["ts"])
    assert not os.path.exists(models_dir / "ts" / "1")


def test_saves_an_xgboost_booster_as_booster_json(models_dir):
    xgboost = pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    x = rng.random((50, 4), dtype=np.float32)
    booster = xgboost.train({"max_depth": 2}, xgboost.DMatrix(x, label=x[:, 0] * 10),
                            num_boost_round=3)

    saved = save_model(booster, "xgb", example_input=x, wait=False, models_dir=models_dir)

    assert sorted(os.listdir(saved.path)) == ["booster.json", "model.json"]
    manifest = read_manifest(saved.path)
    assert manifest["engine"] == "XGBoost"
    assert manifest["file"] == "booster.json"
    assert manifest["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}]
    assert manifest["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [-1]}]
    assert manifest["example"][0]["shape"] == [1, 4]
    reloaded = xgboost.Booster(model_file=os.path.join(saved.path, "booster.json"))
    np.testing.assert_allclose(reloaded.inplace_predict(x[:3]), booster.inplace_predict(x[:3]))


def test_an_xgboost_example_must_have_the_booster_features(models_dir):
    xgboost = pytest.importorskip("xgboost")
    x = np.zeros((10, 4), dtype=np.float32)
    booster = xgboost.train({}, xgboost.DMatrix(x, label=np.zeros(10)), num_boost_round=1)
    with pytest.raises(ValueError, match="4 features"):
        save_model(booster, "xgb", example_input=np.zeros((1, 3)), wait=False,
                   models_dir=models_dir)
