"""PyTorch baseline: Adam training steps (train-mode BatchNorm) of the zoo's nets at 224×224, on the CPU or CUDA.
Prints one JSON object keyed by registry name (names with no PyTorch counterpart left out), with each net's
resident-set growth over its steps (peak RSS after them minus RSS before the first): the memory a step takes.
Run one net per process for that figure to be its own (the peak RSS of a process never falls)."""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nets import build, parse_args  # noqa: E402


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=3)
    a, sync = parse_args(p)
    torch.manual_seed(0)
    out = {}
    for name in a.models.split(","):
        net = build(name)
        if net is None:
            continue
        net.train().to(a.device)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = torch.randn(a.batch, 3, 224, 224, device=a.device)
        y = torch.randint(0, 1000, (a.batch,), device=a.device)
        times = []
        rss_before = rss_bytes()
        for _ in range(1 + a.steps):
            t = time.perf_counter()
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
            sync()
            times.append((time.perf_counter() - t) * 1000)
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        out[name] = {"batch": a.batch, "warmupMs": times[0], "stepMs": times[1:], "rssGrowthBytes": max(0, peak_rss - rss_before)}
    device = torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu"
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": device, "models": out}))


if __name__ == "__main__":
    main()
