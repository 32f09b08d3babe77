#!/usr/bin/env bash
# Installs the reference PyTorch (torch, numpy, safetensors from PyPI, CPU use) into <repo>/.venv-torch,
# where the golden-value generators (tools/gen_golden.py) and the libtorch peer benchmarks
# (-DACCEL_BENCH_LIBTORCH=ON) look for it. The library, `make demo` and `make test` never need it,
# so neither the build nor the tests call this script.
#
# Idempotent: does nothing when .venv-torch/bin/python already imports torch.
# A machine that already has the reference install (ACCEL_TORCH_REF, default /opt/torchref) reuses it
# instead of downloading another ~5 GB:
#   - it has torch, numpy and safetensors: .venv-torch becomes a symlink to it;
#   - it has torch but lacks numpy or safetensors: .venv-torch becomes a small venv of the same
#     interpreter that sees the reference site-packages through a .pth file, and only the missing
#     packages are installed, into .venv-torch (the shared install is never modified).
# Set ACCEL_TORCH_REF=none to force a fresh venv from PyPI.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/.venv-torch"
ref="${ACCEL_TORCH_REF:-/opt/torchref}"
packages=(torch numpy safetensors)

say() { echo "setup-reference-torch: $*"; }

has_modules() {  # python module...
  local py=$1
  shift
  [ -x "$py" ] || return 1
  "$py" -c "import $(IFS=,; echo "$*")" >/dev/null 2>&1
}

missing_modules() {  # python -> the names in $packages it cannot import
  local py=$1 m
  for m in "${packages[@]}"; do has_modules "$py" "$m" || echo "$m"; done
}

report() {
  "$venv/bin/python" -c 'import sys, torch; print("setup-reference-torch: torch", torch.__version__, "at", torch.__file__, "python", sys.version.split()[0])'
  local missing
  missing=$(missing_modules "$venv/bin/python" | tr '\n' ' ')
  if [ -n "$missing" ]; then say "note: .venv-torch cannot import: $missing"; fi
}

if has_modules "$venv/bin/python" torch; then
  say "nothing to do: $venv already imports torch"
  report
  exit 0
fi

if [ -e "$venv" ] || [ -L "$venv" ]; then
  # A venv that cannot import torch is a half-finished earlier attempt: start over.
  say "removing $venv (it cannot import torch)"
  rm -rf "$venv"
fi

if [ "$ref" != none ] && has_modules "$ref/bin/python" torch; then
  missing=$(missing_modules "$ref/bin/python")
  if [ -z "$missing" ]; then
    ln -s "$ref" "$venv"
    say "linked $venv -> $ref (it already has ${packages[*]})"
  else
    ref_site=$("$ref/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    "$ref/bin/python" -m venv "$venv"
    venv_site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ref_site" >"$venv_site/accel-reference-torch.pth"
    say "created $venv on $ref's interpreter, seeing torch from $ref_site"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet $missing
    say "installed into $venv: ${missing//$'\n'/ }"
  fi
else
  say "creating $venv and installing ${packages[*]} from PyPI (several GB)"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install "${packages[@]}"
fi

report
