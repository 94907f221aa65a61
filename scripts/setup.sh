#!/usr/bin/env bash
# Installs what this project needs on a fresh Debian machine: system packages, then the npm workspaces.
set -euo pipefail
cd "$(dirname "$0")/.."

# Mesa lets the WebGPU backend (Dawn) run without a GPU, so the GPU code path is tested everywhere;
# dataset-fashion-mnist is the real dataset the data tests read; chromium runs the browser tests
# (examples/browser, driven by playwright-core, which downloads no browser of its own).
apt_packages=(libegl1 libegl-mesa0 libgl1-mesa-dri dataset-fashion-mnist chromium)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  fi
fi

# onnxruntime-node (a benchmark baseline) would otherwise download GPU providers after install.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund
