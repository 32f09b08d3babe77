#!/usr/bin/env bash
# Installs Debian's libtorch (libtorch-dev, 1.13.1 on Debian 12), the second, older libtorch that the
# peer benchmarks compare with (`make bench-compare` builds them against it too when it is present),
# and OpenBLAS: Debian's libtorch does its float GEMMs through libblas.so.3, which without OpenBLAS
# is the reference BLAS (an MLP epoch took 10 s on it instead of ~1).
# Optional like the reference PyTorch (tools/setup-reference-torch.sh): the library, `make demo` and
# `make test` never need it, and it brings ~160 packages (its OpenCV, Qt and GDAL dependencies).
# Idempotent, through scripts/install-deps.sh (which also checks accel's own packages).
set -euo pipefail

exec "$(dirname "${BASH_SOURCE[0]}")/../scripts/install-deps.sh" libtorch-dev libopenblas0-pthread
