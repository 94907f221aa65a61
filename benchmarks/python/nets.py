"""The zoo's nets in PyTorch, by registry name: torchvision's MobileNetV2 / V3, the official MobileNeXt (transcribed in
packages/zoo/fixtures/mobilenext_official.py), MobileNetV1 from its table. Shared by the benchmark scripts; None for names with no
PyTorch counterpart (block-swapped layouts, the CIFAR net, seed 004's variant, the minimalistic V3s).
Also the options and device set-up the per-variant scripts share.
"""
import os
import sys

import torch
import torch.nn as nn
from torchvision import models

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "zoo", "fixtures"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "blocks", "fixtures"))
from make_fixtures import conv_bn  # noqa: E402
from mobilenext_official import MXNet as MobileNeXt  # noqa: E402


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


def parse_args(parser):
    """Adds the options the per-variant scripts share (--models, --threads, --device), parses them and sets torch
    up: returns the arguments and the function that waits for the device's work. On CUDA, convolutions and
    matrix products run in true fp32 (no TF32), the precision WebGPU computes in."""
    parser.add_argument("--models", required=True)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = parser.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.device != "cuda":
        return a, lambda: None
    if not torch.cuda.is_available():
        sys.exit("CUDA is not available to torch here")
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    return a, torch.cuda.synchronize
