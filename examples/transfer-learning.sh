#!/usr/bin/env bash
# Transfer learning end to end with the CLI (docs/train.md): pretrain on Fashion-MNIST classes 0–4, then
# learn classes 5–9 (from the test split, as PNG folders) with the pretrained backbone frozen, and from
# scratch on the same budget. Usage: bash examples/transfer-learning.sh [WORK=/tmp/mobilenets-transfer]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/mobilenets-transfer}
train="nice -n 10 node packages/train/dist/bin/train.js"
common=(--model mobilenetv2_035 --input-size 32 --batch-size 64 --optimizer adam --overwrite --format json)

[ -d "$work/finetune" ] || node examples/fashion-mnist-folders.mjs "$work" 1000
$train "${common[@]}" --data "folder:$work/pretrain/train" --val "folder:$work/pretrain/val" --epochs 4 --lr 3e-3 \
  --out "$work/runs/pretrain" > "$work/pretrain.json"
$train "${common[@]}" --data "folder:$work/finetune/train" --val "folder:$work/finetune/val" --epochs 3 --lr 3e-3 \
  --pretrained "$work/runs/pretrain/best" --freeze --out "$work/runs/frozen" > "$work/frozen.json"
$train "${common[@]}" --data "folder:$work/finetune/train" --val "folder:$work/finetune/val" --epochs 3 --lr 3e-3 \
  --out "$work/runs/scratch" > "$work/scratch.json"
for run in pretrain frozen scratch; do
  node -e 'const s = require(process.argv[1]); const b = s.history.best; console.log(`${process.argv[2].padEnd(8)} best val top-1 ${(b.value * 100).toFixed(2)}% (epoch ${b.epoch}), ${(s.seconds / 60).toFixed(1)} min, ${s.history.epochs.at(-1).imagesPerSecond.toFixed(0)} img/s`)' "$work/$run.json" "$run"
done
