import json
import pathlib

import pytest

from conftest import linear_model
from modelsync_notebook import ModelRejected, save_model

SHADOW = {"policy": "shadow", "baseline": 1, "requests": 12, "dropped": 0, "maxAbs": 6.0,
          "meanAbs": 3.0, "divergentShare": 0.5}


def view(requests=12, **measures):
    return {"name": "lin", "candidate": "2", "baseline": "1", "policy": "shadow", "share": 0,
            "measures": {**SHADOW, "requests": requests, **measures}}


def manifest(models_dir, version):
    return json.loads((models_dir / "lin" / str(version) / "model.json").read_text())


def test_rollout_goes_into_model_json_as_given(models_dir):
    save_model(linear_model(), "lin", models_dir=models_dir, wait=False, rollout="shadow")
    assert manifest(models_dir, 1)["rollout"] == {"policy": "shadow"}
    policy = {"policy": "canary", "steps": [10, 100], "dwellMs": 5000}
    save_model(linear_model(), "lin", models_dir=models_dir, wait=False, rollout=policy)
    assert manifest(models_dir, 2)["rollout"] == policy
    save_model(linear_model(), "lin", models_dir=models_dir, wait=False)
    assert "rollout" not in manifest(models_dir, 3)


@pytest.mark.parametrize("rollout", ["blue-green", {"steps": [100]}, {"policy": "shadow", "x": 1}])
def test_a_bad_rollout_is_refused_before_anything_is_written(models_dir, rollout):
    with pytest.raises(ValueError, match="rollout"):
        save_model(linear_model(), "lin", models_dir=models_dir, wait=False, rollout=rollout)
    assert not (models_dir / "lin").exists()


def test_waits_for_the_promotion_and_prints_the_divergence(models_dir, fake_api, capsys):
    save_model(linear_model(), "lin", models_dir=models_dir, wait=False)
    # a shadow's candidate answers no request, readiness included (404); the index says it loaded
    api = fake_api(404)
    starting = {"name": "lin", "candidate": "2", "baseline": "1", "policy": "starting",
                "share": 0, "measures": None}
    api.rollouts = [starting, view(3), view(12), None]
    api.index = [{"name": "lin", "version": "2", "state": "READY", "reason": ""}]

    saved = save_model(linear_model(), "lin", models_dir=models_dir, api_url=api.url,
                       timeout=10, rollout="shadow")

    assert saved.rollout == "promoted"
    assert api.paths == ["/v2/models/lin/versions/2/ready"]  # one 404, then the index
    assert saved.rollout_measures["maxAbs"] == 6.0
    out = capsys.readouterr().out
    assert "lin version 2: promoted" in out
    assert "max abs difference 6.0, mean abs 3.0, 0.5 of rows beyond tolerance" in out


def test_a_summary_after_n_requests_leaves_the_decision_to_the_api(models_dir, fake_api, capsys):
    save_model(linear_model(), "lin", models_dir=models_dir, wait=False)
    api = fake_api(200)
    api.rollouts = [view(3), view(40)]

    saved = save_model(linear_model(), "lin", models_dir=models_dir, api_url=api.url,
                       timeout=10, rollout="shadow", rollout_summary_after=20)

    assert saved.rollout == "under way"
    assert saved.rollout_measures["requests"] == 40
    assert "shadow of 40 requests" in capsys.readouterr().out


def test_a_roll_back_raises_with_the_measures(models_dir, fake_api):
    save_model(linear_model(), "lin", models_dir=models_dir, wait=False)
    api = fake_api(200)
    api.rollouts = [view(12), None]
    api.index = [{"name": "lin", "version": "2", "state": "UNAVAILABLE",
                  "reason": "rolled back: 12 shadowed requests: 0.5 of rows beyond the tolerance"}]

    with pytest.raises(ModelRejected, match=r"rolled back.*max abs difference 6.0"):
        save_model(linear_model(), "lin", models_dir=models_dir, api_url=api.url, timeout=10,
                   rollout={"policy": "shadow", "promoteAfter": 10})


def test_a_rollout_in_model_json_matches_the_events_json_schema(models_dir):
    jsonschema = pytest.importorskip("jsonschema")
    schema = (pathlib.Path(__file__).resolve().parents[2]
              / "events/src/main/resources/schemas/manifest.schema.json")
    if not schema.exists():
        pytest.skip("the events module is not in this checkout")
    policy = {"policy": "canary", "steps": [5, 25, 100], "dwellMs": 60000, "minRequests": 20,
              "maxErrorRateIncrease": 0.01, "maxP99IncreaseMs": 100}
    saved = save_model(linear_model(), "lin", models_dir=models_dir, wait=False, rollout=policy)
    manifest_json = json.loads(pathlib.Path(saved.path, "model.json").read_text())
    jsonschema.validate(manifest_json, json.loads(schema.read_text()))
