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
from nets import build, parse_args  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    a, sync = parse_args(p)
    out = {}
    for name in a.models.split(","):
        net = build(name)
        if net is None:
            continue
        net.eval().to(a.device)

        def timed(x):
            t = time.perf_counter()
            net(x)
            sync()
            return (time.perf_counter() - t) * 1000

        with torch.no_grad():
            x1 = torch.randn(1, 3, a.size, a.size, device=a.device)
            warmup = timed(x1)
            lat = [timed(x1) for _ in range(a.runs)]
            xb = torch.randn(a.batch, 3, a.size, a.size, device=a.device)
            timed(xb)
            thr = [timed(xb) for _ in range(3)]
        out[name] = {"warmupMs": warmup, "latencyMs": lat, "batch": a.batch, "batchMs": thr}
    device = torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu"
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": device, "models": out}))


if __name__ == "__main__":
    main()
