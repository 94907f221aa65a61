"""Exports the zoo's nets to ONNX (opset 13, dynamic batch) for the onnxruntime-node baseline: one file per
registry name in --out, skipping names with no PyTorch counterpart and files already there. Prints the names
exported or found as a JSON list."""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from nets import build  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    done = []
    for name in a.models.split(","):
        path = os.path.join(a.out, f"{name}.onnx")
        if not os.path.exists(path):
            net = build(name)
            if net is None:
                continue
            net.eval()
            tmp = f"{path}.tmp"
            torch.onnx.export(net, torch.randn(1, 3, a.size, a.size), tmp, input_names=["x"], output_names=["logits"],
                              dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}}, opset_version=13)
            os.replace(tmp, path)
        done.append(name)
    print(json.dumps(done))


if __name__ == "__main__":
    main()
