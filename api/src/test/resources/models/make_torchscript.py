"""Writes the TorchScript test fixtures next to this script: torchscript/v1.pt and v2.pt.

A traced torch.nn.Linear(4, 3) with weights all `scale` and bias [0, 1, 2] * scale, so that
[1, 2, 3, 4] answers [10, 11, 12] * scale (scale 1 for v1, 2 for v2) -- the same answers as the
ONNX fixtures of the api tests. Traced on a [1, 4] input; the batch dimension stays free.

    pip install torch && python api/src/test/resources/models/make_torchscript.py
"""

from pathlib import Path

import torch


def affine(scale: float) -> torch.jit.ScriptModule:
    linear = torch.nn.Linear(4, 3)
    with torch.no_grad():
        linear.weight.fill_(scale)
        linear.bias.copy_(torch.tensor([0.0, 1.0, 2.0]) * scale)
    linear.eval()
    return torch.jit.trace(linear, torch.zeros(1, 4))


def main() -> None:
    out = Path(__file__).resolve().parent / "torchscript"
    out.mkdir(exist_ok=True)
    for version, scale in ((1, 1.0), (2, 2.0)):
        module = affine(scale)
        got = module(torch.tensor([[1.0, 2.0, 3.0, 4.0]])).tolist()
        assert got == [[10 * scale, 11 * scale, 12 * scale]], got
        module.save(str(out / f"v{version}.pt"))


if __name__ == "__main__":
    main()
