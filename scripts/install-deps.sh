#!/usr/bin/env bash
# Installs the Debian packages accel needs to build, test and run its demo, and any packages named
# as arguments (tools/setup-debian-torch.sh adds the optional Debian libtorch that way). Idempotent:
# it only touches apt when a package is missing. Later layers append to PACKAGES.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3
  libeigen3-dev zlib1g-dev nlohmann-json3-dev
  libgtest-dev googletest libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
)
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

sudo=()
((EUID == 0)) || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
