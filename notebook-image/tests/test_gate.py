"""save_model(..., gate=True): the gate in model.json holds what the model object answered, and a
rejection by the api ends the wait with the differing values."""

import json
import time

import numpy as np
import pytest

from conftest import linear_model
from modelsync_notebook import ModelRejected, save_model

pytest.importorskip("onnxruntime")


def manifest(saved):
    with open(f"{saved.path}/model.json") as f:
        return json.load(f)


def test_gate_true_holds_the_example_row_and_what_the_model_answers(models_dir):
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)

    saved = save_model(linear_model(), "lin", example_input=x, gate=True, wait=False,
                       models_dir=models_dir)

    gate = manifest(saved)["gate"]
    assert gate["tolerance"] == {"abs": 1e-4, "rel": 1e-3}
    (case,) = gate["cases"]
    assert case["inputs"] == [{"name": "x", "datatype": "FP32", "shape": [1, 3],
                               "data": [1.0, 2.0, 3.0]}]
    # y = x @ [1, 2, 3] + 0.5, computed here rather than read back from the helper
    assert case["outputs"] == [{"name": "y", "data": [14.5]}]


def test_gate_inputs_keep_every_row_and_the_tolerance_given(models_dir):
    rows = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 2]], dtype=np.float32)

    saved = save_model(linear_model(bias=0.0), "lin", gate_inputs=rows,
                       gate_tolerance={"abs": 0.01}, wait=False, models_dir=models_dir)

    gate = manifest(saved)["gate"]
    assert gate["tolerance"] == {"abs": 0.01}
    (case,) = gate["cases"]
    assert case["inputs"][0]["shape"] == [3, 3]
    assert case["outputs"] == [{"name": "y", "data": [1.0, 2.0, 6.0]}]


def test_no_gate_unless_asked(models_dir):
    saved = save_model(linear_model(), "lin", wait=False, models_dir=models_dir)
    assert "gate" not in manifest(saved)


@pytest.mark.parametrize("tolerance", [{"abs": -1}, {"absolute": 1}, {}, {"rel": float("nan")}])
def test_a_bad_tolerance_is_refused_before_anything_is_written(models_dir, tolerance):
    with pytest.raises(ValueError, match="gate_tolerance"):
        save_model(linear_model(), "lin", example_input=np.zeros((1, 3)), gate=True,
                   gate_tolerance=tolerance, wait=False, models_dir=models_dir)
    assert not (models_dir / "lin" / "1").exists()


def test_the_torch_module_given_fills_the_expectations(models_dir):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5), torch.nn.Linear(4, 2))
    module.train()  # the gate must see the module as served: eval mode, no dropout
    x = torch.randn(2, 3)

    saved = save_model(module, "net", example_input=x, gate_inputs=x, wait=False,
                       models_dir=models_dir)

    assert module.training, "the helper put the module back in training mode"
    (case,) = manifest(saved)["gate"]["cases"]
    module.eval()
    with torch.no_grad():
        want = module(x).numpy().astype(np.float64).ravel()
    np.testing.assert_allclose(case["outputs"][0]["data"], want, rtol=0, atol=0)


def test_a_rejection_ends_the_wait_with_the_differing_values(models_dir, fake_api):
    api = fake_api(404)
    reason = ("rejected by its gate: 1 value(s) differ: case 0 output 'y'[0] expected 14.5,"
              " got 29.0 (abs 1.0E-4, rel 0.001)")
    api.index = [{"name": "lin", "version": "1", "state": "UNAVAILABLE", "reason": reason}]
    start = time.monotonic()

    with pytest.raises(ModelRejected, match=r"'y'\[0\] expected 14.5, got 29.0"):
        save_model(linear_model(), "lin", example_input=np.ones((1, 3)), gate=True,
                   models_dir=models_dir, api_url=api.url, timeout=30)

    assert time.monotonic() - start < 30, "it stopped before the timeout"
    assert "/v2/repository/index" in api.posts


def test_a_version_still_loading_is_waited_for(models_dir, fake_api):
    api = fake_api(404, 404, 200)
    api.index = [{"name": "lin", "version": "1", "state": "UNAVAILABLE", "reason": "not loaded"}]
    saved = save_model(linear_model(), "lin", models_dir=models_dir, api_url=api.url, timeout=10)
    assert saved.ready_seconds is not None
