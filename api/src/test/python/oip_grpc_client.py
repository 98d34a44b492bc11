"""Calls every method of inference.GRPCInferenceService on a running modelsync api with stubs that
grpc_tools.protoc generated from api/src/main/proto/open_inference_grpc.proto (grpcio, not our
code). Run by GrpcClientTest:

  python oip_grpc_client.py MAIN_PORT LIMITED_PORT NOT_READY_PORT

MAIN serves model "m" (affine, v1 scale 1); on "SWAP" (printed here) the test saves v2 (scale 2).
LIMITED serves "held" (its requests wait until the test releases them) with
MODELSYNC_MAX_IN_FLIGHT=1 and MODELSYNC_REQUEST_TIMEOUT_MS=500. NOT_READY cannot reach Kafka.
Prints "ALL OK" last when every check passed; exits 1 at the first failure.
"""
import struct
import sys
import time

import grpc
import open_inference_grpc_pb2 as pb
import open_inference_grpc_pb2_grpc as rpc

X = [1.0, 2.0, 3.0, 4.0]


def expect(cond, what):
    if not cond:
        print("FAIL: " + what, flush=True)
        sys.exit(1)
    print("ok   " + what, flush=True)


def stub(port):
    channel = grpc.insecure_channel("127.0.0.1:%d" % port)
    grpc.channel_ready_future(channel).result(timeout=30)
    return rpc.GRPCInferenceServiceStub(channel)


def raw_request(model, values=X, shape=(1, 4), version=""):
    req = pb.ModelInferRequest(model_name=model, model_version=version, id="r1")
    req.inputs.add(name="input", datatype="FP32", shape=list(shape))
    req.raw_input_contents.append(struct.pack("<%df" % len(values), *values))
    return req


def floats(resp, k=0):
    raw = resp.raw_output_contents[k]
    return list(struct.unpack("<%df" % (len(raw) // 4), raw))


def code_of(call):
    try:
        call()
    except grpc.RpcError as e:
        return e.code(), e.details()
    return grpc.StatusCode.OK, ""


def health_and_metadata(s):
    expect(s.ServerLive(pb.ServerLiveRequest()).live, "ServerLive: live")
    expect(s.ServerReady(pb.ServerReadyRequest()).ready, "ServerReady: ready")
    expect(s.ModelReady(pb.ModelReadyRequest(name="m")).ready, "ModelReady m: ready")
    expect(s.ModelReady(pb.ModelReadyRequest(name="m", version="1")).ready, "ModelReady m v1")
    meta = s.ServerMetadata(pb.ServerMetadataRequest())
    expect(meta.name == "modelsync" and meta.version != "", "ServerMetadata: %s %s" % (meta.name, meta.version))
    m = s.ModelMetadata(pb.ModelMetadataRequest(name="m"))
    expect(m.name == "m" and list(m.versions) == ["1"] and m.platform == "onnxruntime_onnx",
           "ModelMetadata: name, versions %s, platform %s" % (list(m.versions), m.platform))
    inputs = [(t.name, t.datatype, list(t.shape)) for t in m.inputs]
    outputs = [(t.name, t.datatype, list(t.shape)) for t in m.outputs]
    expect(inputs == [("input", "FP32", [-1, 4])], "ModelMetadata inputs %s" % inputs)
    expect(outputs == [("output", "FP32", [-1, 3])], "ModelMetadata outputs %s" % outputs)


def infer(s):
    r = s.ModelInfer(raw_request("m"))
    expect(r.model_name == "m" and r.model_version == "1" and r.id == "r1", "ModelInfer raw: name, version, id")
    outputs = [(o.name, o.datatype, list(o.shape)) for o in r.outputs]
    expect(outputs == [("output", "FP32", [1, 3])], "ModelInfer raw: output tensor %s" % outputs)
    expect(floats(r) == [10.0, 11.0, 12.0], "ModelInfer raw: raw_output_contents %s" % floats(r))

    typed = pb.ModelInferRequest(model_name="m")
    t = typed.inputs.add(name="input", datatype="FP32", shape=[2, 4])
    t.contents.fp32_contents.extend(X + [0.0, 0.0, 0.0, 0.0])
    typed.outputs.add(name="output")
    r = s.ModelInfer(typed)
    expect(floats(r) == [10.0, 11.0, 12.0, 0.0, 1.0, 2.0], "ModelInfer typed contents, 2 rows: %s" % floats(r))
    r = s.ModelInfer(raw_request("m", version="1"))
    expect(r.model_version == "1" and floats(r) == [10.0, 11.0, 12.0], "ModelInfer of version 1")


def hot_swap(s):
    """Calls without pause while the test saves v2: every answer is v1's or v2's, none fails."""
    seen = {"1": 0, "2": 0}
    print("SWAP", flush=True)
    deadline = time.time() + 60
    after = 0
    while after < 50:
        expect_silent(time.time() < deadline, "v2 answered within 60 s of SWAP; seen %s" % seen)
        r = s.ModelInfer(raw_request("m"))
        want = {"1": [10.0, 11.0, 12.0], "2": [20.0, 22.0, 24.0]}.get(r.model_version)
        expect_silent(want is not None and floats(r) == want,
                      "answer of v%s is %s" % (r.model_version, floats(r)))
        expect_silent(not (seen["2"] and r.model_version == "1"), "no v1 answer after v2 answered")
        seen[r.model_version] += 1
        after += r.model_version == "2"
    expect(seen["1"] > 0 and seen["2"] == 50, "hot swap v1 -> v2 while calling: %s, no error" % seen)
    m = s.ModelMetadata(pb.ModelMetadataRequest(name="m"))
    expect(list(m.versions) == ["1", "2"], "ModelMetadata after the swap: versions %s" % list(m.versions))


def expect_silent(cond, what):
    if not cond:
        print("FAIL: " + what, flush=True)
        sys.exit(1)


def errors(s):
    code, msg = code_of(lambda: s.ModelInfer(raw_request("nope")))
    expect(code == grpc.StatusCode.NOT_FOUND and "unknown model 'nope'" in msg, "unknown model: %s %s" % (code, msg))
    code, msg = code_of(lambda: s.ModelInfer(raw_request("m", version="9")))
    expect(code == grpc.StatusCode.NOT_FOUND and "no loaded version 9" in msg, "unknown version: %s %s" % (code, msg))
    code, msg = code_of(lambda: s.ModelMetadata(pb.ModelMetadataRequest(name="nope")))
    expect(code == grpc.StatusCode.NOT_FOUND, "ModelMetadata unknown model: %s" % code)
    code, msg = code_of(lambda: s.ModelReady(pb.ModelReadyRequest(name="nope")))
    expect(code == grpc.StatusCode.NOT_FOUND, "ModelReady unknown model: %s" % code)

    code, msg = code_of(lambda: s.ModelInfer(raw_request("m", values=[1.0, 2.0, 3.0], shape=(1, 3))))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT and "shape" in msg, "wrong shape: %s %s" % (code, msg))
    bad = raw_request("m")
    bad.raw_input_contents[0] = bad.raw_input_contents[0][:12]
    code, msg = code_of(lambda: s.ModelInfer(bad))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT and "12 bytes" in msg, "raw size mismatch: %s %s" % (code, msg))
    wrong = pb.ModelInferRequest(model_name="m")
    wrong.inputs.add(name="input", datatype="INT64", shape=[1, 4]).contents.int64_contents.extend([1, 2, 3, 4])
    code, msg = code_of(lambda: s.ModelInfer(wrong))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT and "expects FP32" in msg, "wrong datatype: %s %s" % (code, msg))
    few = pb.ModelInferRequest(model_name="m")
    few.inputs.add(name="input", datatype="FP32", shape=[1, 4]).contents.fp32_contents.extend([1.0])
    code, msg = code_of(lambda: s.ModelInfer(few))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT and "fp32_contents" in msg, "too few values: %s %s" % (code, msg))
    code, msg = code_of(lambda: s.ModelInfer(pb.ModelInferRequest(model_name="m")))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT, "no inputs: %s %s" % (code, msg))
    code, msg = code_of(lambda: s.ModelInfer(raw_request("../etc")))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT and "not a valid model name" in msg, "bad name: %s %s" % (code, msg))
    out = raw_request("m")
    out.outputs.add(name="nope")
    code, msg = code_of(lambda: s.ModelInfer(out))
    expect(code == grpc.StatusCode.INVALID_ARGUMENT and "unknown output 'nope'" in msg, "unknown output: %s %s" % (code, msg))


def limits(s):
    code, msg = code_of(lambda: s.ModelInfer(raw_request("held"), timeout=30))
    expect(code == grpc.StatusCode.DEADLINE_EXCEEDED and "MODELSYNC_REQUEST_TIMEOUT_MS" in msg,
           "request timeout: %s %s" % (code, msg))
    # that request still runs (held) and holds the only in-flight slot
    code, msg = code_of(lambda: s.ModelInfer(raw_request("held"), timeout=30))
    expect(code == grpc.StatusCode.RESOURCE_EXHAUSTED and "MODELSYNC_MAX_IN_FLIGHT" in msg,
           "over the in-flight limit: %s %s" % (code, msg))


def not_ready(s):
    expect(s.ServerLive(pb.ServerLiveRequest()).live, "not ready api: ServerLive true")
    expect(not s.ServerReady(pb.ServerReadyRequest()).ready, "not ready api: ServerReady false")
    code, msg = code_of(lambda: s.ModelInfer(raw_request("m")))
    expect(code == grpc.StatusCode.UNAVAILABLE and "not ready" in msg, "not ready: %s %s" % (code, msg))
    code, msg = code_of(lambda: s.ModelReady(pb.ModelReadyRequest(name="m")))
    expect(code == grpc.StatusCode.UNAVAILABLE, "not ready ModelReady: %s" % code)


def main():
    main_port, limited_port, not_ready_port = (int(a) for a in sys.argv[1:4])
    not_ready(stub(not_ready_port))
    print("NOT READY DONE", flush=True)
    s = stub(main_port)
    health_and_metadata(s)
    infer(s)
    errors(s)
    hot_swap(s)
    limits(stub(limited_port))
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
