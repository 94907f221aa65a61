#!/usr/bin/env bash
# The MobileNeXt paper's claim at small scale, with the CLI (docs/benchmarks.md): MobileNetV2's layout with
# inverted residual blocks vs the same layout with sandglass blocks (--block sandglass), and MobileNetV2 vs
# MobileNeXt — same width, recipe and budget on Fashion-MNIST (the first TRAIN training images; top-1 on the
# whole test split). Usage: bash examples/mobilenext-claim.sh [WORK=/tmp/mobilenets-next] [TRAIN=6000] [EPOCHS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/mobilenets-next}
images=${2:-6000}
epochs=${3:-4}
train="nice -n 10 node packages/train/dist/bin/train.js"
recipe=(--data fashion-mnist --train-images "$images" --epochs "$epochs" --batch-size 128 --optimizer adam --lr 3e-3
  --schedule cosine --label-smoothing 0.1 --seed 0 --backend wasm --overwrite --format json)
mkdir -p "$work"
run() { # name, then the model flags
  local name=$1
  shift
  $train "$@" "${recipe[@]}" --out "$work/runs/$name" > "$work/$name.json"
  node -e 'const s = require(process.argv[1]); const e = s.history.epochs.at(-1);
    console.log([process.argv[2], s.params, s.macs, (e.val.top1 * 100).toFixed(2), e.imagesPerSecond.toFixed(0), (s.seconds / 60).toFixed(1)].join(" | "))' \
    "$work/$name.json" "$name"
}
echo "run | params | MACs | top-1 % (last epoch) | train img/s (last epoch) | wall min"
run v2-inverted-residual --model mobilenetv2_035
run v2-sandglass --model mobilenetv2_035 --block sandglass
run mobilenext --model mobilenext_035
