"""PyTorch reference for @mobilenets/train on Fashion-MNIST: torchvision's MobileNetV2 / V3 trained with the recipe
the TypeScript side runs (same images, input size, normalization, augmentation, optimizer, schedule, epochs), so
the two curves can be compared. Prints one JSON line per epoch.

  /usr/bin/python3 examples/reference/fmnist_torch.py --model mobilenet_v2 --width 0.35 --train 2000 --test 1000 \
      --epochs 3 --batch-size 100 --optimizer adam --lr 3e-3
"""
import argparse
import gzip
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

DIR = '/usr/share/datasets/fashion-mnist'
MEAN, STD = 0.286, 0.353


def idx(path):
    raw = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(dims)


def split(name, n):
    prefix = 'train' if name == 'train' else 't10k'
    import os
    find = lambda base: next(p for p in (f'{DIR}/{base}', f'{DIR}/{base}.gz') if os.path.exists(p))
    x = idx(find(f'{prefix}-images-idx3-ubyte'))[:n]
    y = idx(find(f'{prefix}-labels-idx1-ubyte'))[:n]
    return torch.from_numpy(x.copy()).float().div(255).unsqueeze(1), torch.from_numpy(y.astype(np.int64))


def read_safetensors(path):
    raw = open(path, 'rb').read()
    n = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + n])
    dtypes = {'F32': np.float32, 'I64': np.int64}
    return {k: torch.from_numpy(np.frombuffer(raw, dtypes[v['dtype']], count=int(np.prod(v['shape'], dtype=np.int64)), offset=8 + n + v['data_offsets'][0]).reshape(v['shape']).copy())
            for k, v in header.items() if k != '__metadata__'}


def prepare(x, size, normalize):
    if size != 28:
        x = F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False)
    if normalize:
        x = (x - MEAN) / STD
    return x.expand(-1, 3, -1, -1).contiguous()


def augment(x, pad, flip, gen):
    """Pad-and-crop and horizontal flips per sample (zeros padded after normalization, as the TS transforms
    pad before toTensor: there the pad value is 0 of the raw image, i.e. -mean/std once normalized)."""
    n, c, h, w = x.shape
    out = torch.empty_like(x)
    fill = x.new_full((c, h + 2 * pad, w + 2 * pad), 0.0)
    for i in range(n):
        p = fill.clone()
        p[:, pad:pad + h, pad:pad + w] = x[i]
        top, left = torch.randint(0, 2 * pad + 1, (2,), generator=gen).tolist()
        img = p[:, top:top + h, left:left + w]
        if flip and torch.rand(1, generator=gen).item() < 0.5:
            img = img.flip(2)
        out[i] = img
    return out


def build(args):
    if args.model == 'mobilenet_v2':
        return torchvision.models.mobilenet_v2(width_mult=args.width, num_classes=10, dropout=args.dropout)
    if args.model == 'mobilenet_v3_small':
        return torchvision.models.mobilenet_v3_small(width_mult=args.width, num_classes=10, dropout=args.dropout)
    raise SystemExit(f'unknown model {args.model}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='mobilenet_v2')
    ap.add_argument('--width', type=float, default=0.35)
    ap.add_argument('--dropout', type=float, default=0.2)
    ap.add_argument('--size', type=int, default=32)
    ap.add_argument('--train', type=int, default=60000)
    ap.add_argument('--test', type=int, default=10000)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch-size', type=int, default=100)
    ap.add_argument('--optimizer', default='adam')
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--weight-decay', type=float, default=0.0)
    ap.add_argument('--schedule', default='constant', choices=['constant', 'cosine'])
    ap.add_argument('--warmup', type=float, default=0.0, help='epochs of linear warm-up (per step)')
    ap.add_argument('--label-smoothing', type=float, default=0.0)
    ap.add_argument('--normalize', action='store_true')
    ap.add_argument('--pad', type=int, default=0, help='pad-and-crop pixels (0: no crop)')
    ap.add_argument('--flip', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--no-shuffle', action='store_true', help='the first images in order every epoch')
    ap.add_argument('--init', help='start from these weights (a torchvision safetensors, e.g. the TS side\'s --export-init)')
    ap.add_argument('--log-steps', action='store_true', help='one line per step with its loss')
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    xtr, ytr = split('train', args.train)
    xte, yte = split('test', args.test)
    xtr, xte = prepare(xtr, args.size, args.normalize), prepare(xte, args.size, args.normalize)
    model = build(args)
    if args.init:
        model.load_state_dict(read_safetensors(args.init))
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    groups = [{'params': decay, 'weight_decay': args.weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]
    opt = {
        'adam': lambda: torch.optim.Adam(groups, lr=args.lr),
        'adamw': lambda: torch.optim.AdamW(groups, lr=args.lr),
        'sgd': lambda: torch.optim.SGD(groups, lr=args.lr, momentum=0.9, nesterov=True),
    }[args.optimizer]()
    steps_per_epoch = math.ceil(args.train / args.batch_size)
    total = steps_per_epoch * args.epochs
    warm = round(args.warmup * steps_per_epoch)

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm  # LinearLR from 1/warm, as the TS warm-up
        if args.schedule == 'cosine':
            t = (step - warm) / max(1, total - warm)
            return args.lr * 0.5 * (1 + math.cos(math.pi * t))
        return args.lr

    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.time()
        order = torch.arange(args.train) if args.no_shuffle else torch.randperm(args.train, generator=gen)
        seen = correct = 0
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            ids = order[b * args.batch_size:(b + 1) * args.batch_size]
            x, y = xtr[ids], ytr[ids]
            if args.pad or args.flip:
                x = augment(x, args.pad, args.flip, gen)
            for g in opt.param_groups:
                g['lr'] = lr_at(step)
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if args.log_steps:
                print(json.dumps({'step': step, 'loss': loss.item()}), flush=True)
            seen += len(y)
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
        seconds = time.time() - started
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(xte[i:i + 500]) for i in range(0, args.test, 500)])
            val_loss = F.cross_entropy(logits, yte).item()
            val_top1 = (logits.argmax(1) == yte).float().mean().item()
            model.train()
            train_mode_top1 = (torch.cat([model(xte[i:i + 500]) for i in range(0, args.test, 500)]).argmax(1) == yte).float().mean().item()
        print(json.dumps({'epoch': epoch, 'train_loss': loss_sum / seen, 'train_top1': correct / seen, 'val_loss': val_loss,
                          'val_top1': val_top1, 'val_top1_batch_stats': train_mode_top1, 'seconds': round(seconds, 1)}), flush=True)


if __name__ == '__main__':
    main()
