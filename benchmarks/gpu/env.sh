# Sourced on the GPU machine from the repository root (pack.mjs copies it into .gpu/): unpacks Node, the
# packages and the Vulkan / GL loaders once, and points Dawn at the NVIDIA driver.
_gpu=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ ! -x /tmp/gpu-node/node ]; then
  mkdir -p /tmp/gpu-node
  python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$_gpu/node.xz" /tmp/gpu-node/node
  chmod +x /tmp/gpu-node/node
  python3 -c "import tarfile,sys; t=tarfile.open(sys.argv[1]); t.extractall(sys.argv[2], **({'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}))" "$_gpu/tree.tar.xz" "$_gpu/.."
  if ! ldconfig -p 2>/dev/null | grep -q libGLdispatch.so.0 || ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
    for f in "$_gpu"/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
    ldconfig
  fi
fi
export PATH=/tmp/gpu-node:$PATH
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -e /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
# The GPU machine's python3 is the one that holds PyTorch with CUDA.
export MOBILENETS_PYTHON=${MOBILENETS_PYTHON:-$(command -v python3)}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true
echo "node $(node --version), python $MOBILENETS_PYTHON"
