import json
import os
import pathlib
import threading

import numpy as np
import onnx
import pytest

from conftest import linear_model
from modelsync_notebook import IR_VERSION, MAX_OPSET, _save, save_model

SCHEMA = (pathlib.Path(__file__).resolve().parents[2]
          / "events/src/main/resources/schemas/manifest.schema.json")


def read_manifest(path):
    return json.loads((pathlib.Path(path) / "model.json").read_text())


def entries(models_dir, name):
    return sorted(os.listdir(models_dir / name))


def test_saves_an_onnx_model_as_version_1_with_manifest(models_dir):
    saved = save_model(linear_model(), "iris", wait=False, models_dir=models_dir)

    assert (saved.name, saved.version) == ("iris", 1)
    assert saved.path == str(models_dir / "iris" / "1")
    assert sorted(os.listdir(saved.path)) == ["model.json", "model.onnx"]
    manifest = read_manifest(saved.path)
    assert manifest["engine"] == "OnnxRuntime"
    assert manifest["file"] == "model.onnx"
    assert manifest["inputs"] == [{"name": "x", "datatype": "FP32", "shape": [-1, 3]}]
    assert manifest["outputs"] == [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]
    assert manifest["example"] == [{"name": "x", "datatype": "FP32", "shape": [1, 3],
                                    "data": [0.0, 0.0, 0.0]}]
    assert manifest["metadata"]["source"] == "onnx"
    assert entries(models_dir, "iris") == ["1"]  # no temp directory left behind


def test_writes_ir_version_8_the_java_onnx_runtime_accepts(models_dir):
    model = linear_model()
    assert model.ir_version > IR_VERSION  # onnx writes its newest IR by default

    saved = save_model(model, "m", wait=False, models_dir=models_dir)

    written = onnx.load(os.path.join(saved.path, "model.onnx"))
    assert written.ir_version == IR_VERSION
    assert model.ir_version > IR_VERSION, "the caller's model must not be changed"


def test_converts_an_opset_newer_than_21_down(models_dir):
    saved = save_model(linear_model(opset=23), "m", wait=False, models_dir=models_dir)

    written = onnx.load(os.path.join(saved.path, "model.onnx"))
    assert [o.version for o in written.opset_import if o.domain == ""] == [MAX_OPSET]


def test_each_save_takes_the_next_version_and_ignores_other_entries(models_dir):
    (models_dir / "m" / "7").mkdir(parents=True)
    (models_dir / "m" / "notes").mkdir()
    (models_dir / "m" / ".tmp-old").mkdir()

    first = save_model(linear_model(), "m", wait=False, models_dir=models_dir)
    second = save_model(linear_model(bias=1.0), "m", wait=False, models_dir=models_dir)

    assert (first.version, second.version) == (8, 9)


def test_concurrent_saves_get_distinct_versions(models_dir):
    results, errors = [], []

    def save():
        try:
            results.append(save_model(linear_model(), "m", wait=False, models_dir=models_dir).version)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=save) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert entries(models_dir, "m") == ["1", "2", "3", "4", "5", "6"]


def test_saves_from_a_path_to_an_onnx_file(models_dir, tmp_path):
    file = tmp_path / "linear.onnx"
    onnx.save(linear_model(), file)

    saved = save_model(str(file), "from-file", wait=False, models_dir=models_dir)

    assert read_manifest(saved.path)["metadata"]["source"] == "file"
    assert onnx.load(os.path.join(saved.path, "model.onnx")).ir_version == IR_VERSION


def test_rejects_a_path_that_is_not_an_onnx_model(models_dir, tmp_path):
    garbage = tmp_path / "broken.onnx"
    garbage.write_bytes(b"\xff\xfenot a protobuf at all")
    with pytest.raises(ValueError, match="not an ONNX model"):
        save_model(garbage, "m", wait=False, models_dir=models_dir)
    with pytest.raises(ValueError, match="only .onnx"):
        save_model(tmp_path / "model.pkl", "m", wait=False, models_dir=models_dir)
    with pytest.raises(ValueError, match="no such file"):
        save_model(tmp_path / "missing.onnx", "m", wait=False, models_dir=models_dir)
    assert os.listdir(models_dir) == []


@pytest.mark.parametrize("name", ["", ".hidden", "-dash", "a/b", "a b", "a..b", "x" * 129,
                                  "model.tmp", "model.PART", "ünïcode"])
def test_rejects_a_bad_name(models_dir, name):
    with pytest.raises(ValueError, match="invalid model name"):
        save_model(linear_model(), name, wait=False, models_dir=models_dir)
    assert os.listdir(models_dir) == []


@pytest.mark.parametrize("name", ["iris", "Iris_v2", "a", "resnet-50.int8", "9" * 128])
def test_accepts_a_good_name(models_dir, name):
    assert save_model(linear_model(), name, wait=False, models_dir=models_dir).version == 1


def test_rejects_a_name_that_is_not_a_string(models_dir):
    with pytest.raises(TypeError, match="name must be a str"):
        save_model(linear_model(), 42, wait=False, models_dir=models_dir)


@pytest.mark.parametrize("obj", [object(), {"weights": [1, 2]}, 3.5, b"bytes"])
def test_rejects_an_unsupported_object(models_dir, obj):
    with pytest.raises(TypeError, match="cannot save a"):
        save_model(obj, "m", wait=False, models_dir=models_dir)


def test_scikit_learn_without_skl2onnx_is_a_clear_error(models_dir):
    linear_model_module = pytest.importorskip("sklearn.linear_model")
    try:
        import skl2onnx  # noqa: F401
        pytest.skip("skl2onnx is installed")
    except ImportError:
        pass
    model = linear_model_module.LinearRegression().fit(np.eye(3), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="skl2onnx"):
        save_model(model, "m", example_input=np.eye(3), wait=False, models_dir=models_dir)


def test_models_dir_comes_from_the_environment(models_dir, monkeypatch):
    monkeypatch.setenv("MODELSYNC_MODELS_DIR", str(models_dir))
    assert save_model(linear_model(), "m", wait=False).path == str(models_dir / "m" / "1")


def test_missing_or_absent_models_dir_is_a_clear_error(models_dir, tmp_path):
    with pytest.raises(ValueError, match="MODELSYNC_MODELS_DIR"):
        save_model(linear_model(), "m", wait=False)
    with pytest.raises(ValueError, match="does not exist"):
        save_model(linear_model(), "m", wait=False, models_dir=tmp_path / "nowhere")


def test_waiting_without_an_api_url_fails_before_writing(models_dir):
    with pytest.raises(ValueError, match="MODELSYNC_API_URL"):
        save_model(linear_model(), "m", models_dir=models_dir)
    assert os.listdir(models_dir) == []


def test_example_input_keeps_the_first_row(models_dir):
    batch = np.arange(15, dtype=np.float64).reshape(5, 3)
    saved = save_model(linear_model(), "m", example_input=batch, wait=False, models_dir=models_dir)

    assert read_manifest(saved.path)["example"] == [
        {"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [0.0, 1.0, 2.0]}]


def test_example_input_by_name_and_with_a_wrong_shape(models_dir):
    saved = save_model(linear_model(), "m", example_input={"x": [[1, 2, 3]]}, wait=False,
                       models_dir=models_dir)
    assert read_manifest(saved.path)["example"][0]["data"] == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="not model inputs"):
        save_model(linear_model(), "m", example_input={"z": [[1, 2, 3]]}, wait=False,
                   models_dir=models_dir)
    with pytest.raises(ValueError, match="shape"):
        save_model(linear_model(), "m", example_input=np.ones(3), wait=False, models_dir=models_dir)


def test_metadata_is_kept_and_made_json(models_dir):
    saved = save_model(linear_model(), "m", wait=False, models_dir=models_dir,
                       metadata={"rmse": np.float32(0.25), "epochs": np.int64(3),
                                 "tags": {"b", "a"}, "dropped": None, "nested": {"k": None}})

    metadata = read_manifest(saved.path)["metadata"]
    assert metadata["rmse"] == 0.25 and metadata["epochs"] == 3 and metadata["tags"] == ["a", "b"]
    assert "dropped" not in metadata and metadata["nested"] == {"k": None}
    assert {"savedAt", "savedBy", "source", "onnxVersion"} <= metadata.keys()
    with pytest.raises(TypeError, match="metadata must be a dict"):
        save_model(linear_model(), "m", metadata=["x"], wait=False, models_dir=models_dir)


def test_a_failed_write_leaves_nothing_behind(models_dir, monkeypatch):
    real_write = _save._write_file

    def fail_on_manifest(path, data):
        if path.endswith("model.json"):
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(_save, "_write_file", fail_on_manifest)
    with pytest.raises(OSError, match="No space left"):
        save_model(linear_model(), "m", wait=False, models_dir=models_dir)
    assert entries(models_dir, "m") == []


def test_files_are_readable_by_the_agent_user(models_dir):
    saved = save_model(linear_model(), "m", wait=False, models_dir=models_dir)
    assert os.stat(saved.path).st_mode & 0o005 == 0o005
    assert os.stat(os.path.join(saved.path, "model.onnx")).st_mode & 0o004


def test_manifest_matches_the_events_json_schema(models_dir):
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} not in this checkout")
    saved = save_model(linear_model(), "m", example_input=np.ones((2, 3)), metadata={"a": 1},
                       wait=False, models_dir=models_dir)
    jsonschema.validate(read_manifest(saved.path), json.loads(SCHEMA.read_text()))


def test_onnxruntime_answers_the_saved_model_like_the_original(models_dir):
    ort = pytest.importorskip("onnxruntime")
    saved = save_model(linear_model(), "m", wait=False, models_dir=models_dir)
    session = ort.InferenceSession(os.path.join(saved.path, "model.onnx"))
    (y,) = session.run(None, {"x": np.array([[1, 1, 1]], dtype=np.float32)})
    assert y.tolist() == [[6.5]]
