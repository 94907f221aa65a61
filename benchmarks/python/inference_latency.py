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
import torch.nn as nn
from torchvision import models

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "zoo", "fixtures"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "blocks", "fixtures"))
from make_fixtures import conv_bn  # noqa: E402
from reference_counts import MobileNeXt  # noqa: E402


def mobilenet_v1(width):
    ch = lambda c: max(int(c * width), 8)
    cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    layers, inp = [conv_bn(3, ch(32), 3, 2, act="relu")], ch(32)
    for c, s in cfg:
        layers += [conv_bn(inp, inp, 3, s, inp, "relu"), conv_bn(inp, ch(c), 1, act="relu")]
        inp = ch(c)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(inp, 1000))


def build(name):
    family, *rest = name.split("_")
    if not rest or not rest[-1].isdigit():
        return None  # block-swapped layouts, the CIFAR net, seed 004's variant: no PyTorch counterpart here
    width = int(rest[-1]) / 100
    if family == "mobilenetv1":
        return mobilenet_v1(width)
    if family == "mobilenetv2" and len(rest) == 1:
        return models.mobilenet_v2(width_mult=width)
    if family == "mobilenetv3" and len(rest) == 2:
        return (models.mobilenet_v3_large if rest[0] == "large" else models.mobilenet_v3_small)(width_mult=width)
    if family == "mobilenext":
        return MobileNeXt(width_mult=width)
    return None


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
