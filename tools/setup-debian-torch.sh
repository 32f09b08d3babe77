#!/usr/bin/env bash
# Installs Debian's libtorch (libtorch-dev, 1.13.1 on Debian 12), the second, older libtorch that the
# peer benchmarks compare with (`make bench-compare` builds them against it too when it is present),
# and OpenBLAS: Debian's libtorch does its float GEMMs through libblas.so.3, which without OpenBLAS
# is the reference BLAS (an MLP epoch took 10 s on it instead of ~1).
# Optional like the reference PyTorch (tools/setup-reference-torch.sh): the library, `make demo` and
# `make test` never need it, and it brings ~160 packages (its OpenCV, Qt and GDAL dependencies).
# Idempotent: does nothing when libtorch-dev is installed.
set -euo pipefail

packages=(libtorch-dev libopenblas0-pthread)
missing=()
for pkg in "${packages[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "setup-debian-torch: nothing to do: libtorch-dev $(dpkg-query -W -f='${Version}' libtorch-dev) is installed"
  exit 0
fi
sudo=()
((EUID == 0)) || sudo=(sudo)
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
echo "setup-debian-torch: installed ${missing[*]}"
