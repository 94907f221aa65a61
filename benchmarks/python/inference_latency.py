"""PyTorch baseline: CPU inference latency (batch 1) and throughput (a larger batch) of the zoo's nets.

MobileNetV2 / V3 from torchvision, MobileNeXt from seed 001's code (ported in packages/zoo/fixtures), MobileNetV1
from its table; eval mode, no gradients, NCHW float32. Prints one JSON object keyed by registry name; names with
no PyTorch counterpart are left out. Run by the benchmarks with Debian's python3-torch; never at library run time.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from nets import build  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", required=True)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    out = {}
    for name in a.models.split(","):
        net = build(name)
        if net is None:
            continue
        net.eval()
        with torch.no_grad():
            x1 = torch.randn(1, 3, a.size, a.size)
            t = time.perf_counter()
            net(x1)
            warmup = (time.perf_counter() - t) * 1000
            lat = []
            for _ in range(a.runs):
                t = time.perf_counter()
                net(x1)
                lat.append((time.perf_counter() - t) * 1000)
            xb = torch.randn(a.batch, 3, a.size, a.size)
            net(xb)
            thr = []
            for _ in range(3):
                t = time.perf_counter()
                net(xb)
                thr.append((time.perf_counter() - t) * 1000)
        out[name] = {"warmupMs": warmup, "latencyMs": lat, "batch": a.batch, "batchMs": thr}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "models": out}))


if __name__ == "__main__":
    main()
