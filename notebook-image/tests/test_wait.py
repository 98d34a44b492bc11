import socket
import time

import pytest

from conftest import linear_model
from modelsync_notebook import save_model


def test_waits_until_the_version_is_ready_then_prints_the_infer_url(models_dir, fake_api, capsys):
    api = fake_api(404, 503, 503, 200)

    saved = save_model(linear_model(), "iris", models_dir=models_dir, api_url=api.url, timeout=10)

    assert saved.version == 1
    assert saved.infer_url == f"{api.url}/v2/models/iris/versions/1/infer"
    assert saved.ready_seconds > 0  # speed is not a test's business: no upper bound here
    assert api.paths == ["/v2/models/iris/versions/1/ready"] * 4
    out = capsys.readouterr().out
    assert f"POST {api.url}/v2/models/iris/versions/1/infer" in out
    assert "iris version 1 is being served after" in out


def test_api_url_comes_from_the_environment(models_dir, fake_api, monkeypatch):
    api = fake_api(200)
    monkeypatch.setenv("MODELSYNC_API_URL", api.url + "/")
    saved = save_model(linear_model(), "m", models_dir=models_dir)
    assert saved.infer_url == f"{api.url}/v2/models/m/versions/1/infer"


def test_an_api_that_never_gets_ready_times_out_with_its_last_answer(models_dir, fake_api):
    api = fake_api(503)
    start = time.monotonic()

    with pytest.raises(TimeoutError, match=r"did not report it ready within 0.5 s.*HTTP 503"):
        save_model(linear_model(), "m", models_dir=models_dir, api_url=api.url, timeout=0.5)

    assert time.monotonic() - start >= 0.5, "it waited the whole timeout"
    assert (models_dir / "m" / "1" / "model.json").exists(), "the save itself stands"


def test_an_api_that_is_not_there_times_out_saying_so(models_dir):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TimeoutError, match="cannot connect"):
        save_model(linear_model(), "m", models_dir=models_dir,
                   api_url=f"http://127.0.0.1:{port}", timeout=0.3)


@pytest.mark.parametrize("url", ["localhost:8080", "ftp://api"])
def test_rejects_an_api_url_without_http(models_dir, url):
    with pytest.raises(ValueError, match="http://"):
        save_model(linear_model(), "m", models_dir=models_dir, api_url=url)


def test_rejects_a_timeout_that_is_not_positive(models_dir, fake_api):
    with pytest.raises(ValueError, match="timeout"):
        save_model(linear_model(), "m", models_dir=models_dir, api_url=fake_api(200).url,
                   timeout=0)
