import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper


def linear_model(weights=(1.0, 2.0, 3.0), bias=0.5, opset=17) -> onnx.ModelProto:
    """y = x @ w + b with x FP32 [batch, 3] and y FP32 [batch, 1]; onnx writes its newest IR."""
    w = numpy_helper.from_array(np.array(weights, dtype=np.float32).reshape(3, 1), "w")
    b = numpy_helper.from_array(np.array([bias], dtype=np.float32), "b")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 1])],
        initializer=[w, b],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    path = tmp_path / "models"
    path.mkdir()
    monkeypatch.delenv("MODELSYNC_MODELS_DIR", raising=False)
    monkeypatch.delenv("MODELSYNC_API_URL", raising=False)
    return path


class FakeApi:
    """A stand-in for the api's readiness endpoint: answers each ready request with the next
    status of a script (the last one repeats), and records the paths it was asked; POSTs (the
    repository index the helper reads when a version is not loaded) are recorded apart."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.paths = []
        self.index = None  # POST /v2/repository/index answer; None = 404
        self.rollouts = None  # GET .../rollout answers in turn (the last repeats); None = 404
        self.posts = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.endswith("/rollout"):
                    return self.rollout()
                api.paths.append(self.path)
                status = api.statuses.pop(0) if len(api.statuses) > 1 else api.statuses[0]
                body = b"{}" if status == 200 else json.dumps({"error": "not ready"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def rollout(self):  # a rollout under way: a JSON view; None: no rollout (404)
                views = api.rollouts or [None]
                view = views.pop(0) if len(views) > 1 else views[0]
                body = json.dumps(view if view is not None else {"error": "none"}).encode()
                self.send_response(200 if view is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # the repository index, when the test scripted one
                api.posts.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps(api.index if api.index is not None else {"error": "no"}).encode()
                self.send_response(200 if api.index is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api():
    apis = []

    def start(*statuses):
        api = FakeApi(statuses)
        apis.append(api)
        return api

    yield start
    for api in apis:
        api.close()
