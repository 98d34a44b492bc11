"""Writes half-floats.json: float32 values and their FP16 and BF16 bit patterns as numpy and torch
round them (nearest, ties to even), for TensorValuesTest. Run with numpy and torch installed:

    python3 api/src/test/resources/vectors/make_half_floats.py > api/src/test/resources/vectors/half-floats.json
"""
import json
import struct

import numpy as np
import torch

values = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1.5, 3.141592653589793, -2.5, 65504.0, 65519.0, 65520.0,
          1e6, -1e6, 6.103515625e-05, 6.097555160522461e-05, 5.960464477539063e-08,
          2.980232238769531e-08, 2.9802325e-08, 8.940696716308594e-08, 1e-10, 0.1, 0.2, 0.3,
          1.0009765625, 1.00048828125, 1.00146484375, 1.0001, 2049.0, 2051.0, 3.3895313892515355e+38,
          1.1754943508222875e-38, 1.401298464324817e-45, 1.00390625, 1.01171875, 1.0078125,
          255.5, 256.5, -0.0001, 12345.678, float("inf"), float("-inf")]
rows = []
for v in values:
    f32 = np.float32(v)
    bits32 = struct.unpack("<I", struct.pack("<f", float(f32)))[0]
    half = int(np.array([f32], dtype=np.float32).astype(np.float16).view(np.uint16)[0])
    bf16 = int(torch.tensor([float(f32)], dtype=torch.float32).to(torch.bfloat16).view(torch.int16)[0]) & 0xFFFF
    rows.append({"float32": "%08x" % bits32, "fp16": "%04x" % half, "bf16": "%04x" % bf16})
print(json.dumps({"source": "numpy " + np.__version__ + ", torch " + torch.__version__, "values": rows}, indent=1))
