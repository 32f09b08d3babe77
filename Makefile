# Entry points: `make demo` and `make test` work on a fresh Debian machine.
JOBS ?= 2
RELEASE := build/release
# The demo is the main job, examples/fashion_mnist/ with its defaults: the seed's MLP trained on
# Fashion-MNIST by the Trainer; its best model, training states and metrics go to $(DEMO_OUTPUT).
DEMO := fashion_mnist
DEMO_OUTPUT := $(RELEASE)/fashion_mnist_demo
CHECK_LAYERS := ../shared/tools/check-layers
# libtorch peer benchmarks: a separate release build with -DACCEL_BENCH_LIBTORCH=ON.
# benchmarks/peers/<stem>.cpp builds bench_peer_<stem>, compared with accel's bench_<stem>.
PEERS := build/bench-peers
PEER_STEMS := $(basename $(notdir $(wildcard benchmarks/peers/*.cpp)))
# The same peers against Debian's libtorch 1.13 (tools/setup-debian-torch.sh), when it is installed.
DEBIAN_PEERS := build/bench-peers-debian
DEBIAN_TORCH_DIR := /usr/lib/x86_64-linux-gnu/cmake/Torch
TORCH_PYTHON ?= $(CURDIR)/.venv-torch/bin/python
# e.g. BENCH_COMPARE_ARGS="--rounds 5" on a busy machine (see tools/bench_compare.py --help)
BENCH_COMPARE_ARGS ?=

.PHONY: deps configure build test demo bench bench-compare asan clean

deps:
	scripts/install-deps.sh

# Configure once; afterwards ninja re-runs CMake itself when CMakeLists.txt or a glob changes.
$(RELEASE)/build.ninja:
	cmake --preset release

configure: deps $(RELEASE)/build.ninja

build: configure
	cmake --build --preset release -j$(JOBS)

test: build
	@if [ -x $(CHECK_LAYERS) ]; then $(CHECK_LAYERS) .; fi
	ctest --preset release -j$(JOBS) --output-on-failure

demo: build
	$(RELEASE)/$(DEMO) --output-dir $(DEMO_OUTPUT)

bench: build
	@set -e; for b in $(RELEASE)/bench_*; do \
	  [ -x "$$b" ] || continue; \
	  echo "== $$b"; "$$b" --benchmark_min_time=0.2; \
	done
	@set -e; for s in $(PEER_STEMS); do \
	  [ -x $(PEERS)/bench_peer_$$s ] || continue; \
	  echo "== accel vs libtorch: $$s"; \
	  tools/bench_compare.py $(RELEASE)/bench_$$s $(PEERS)/bench_peer_$$s $(BENCH_COMPARE_ARGS); \
	done
	@set -e; for s in $(PEER_STEMS); do \
	  [ -x $(DEBIAN_PEERS)/bench_peer_$$s ] || continue; \
	  echo "== accel vs Debian's libtorch: $$s"; \
	  tools/bench_compare.py $(RELEASE)/bench_$$s $(DEBIAN_PEERS)/bench_peer_$$s $(BENCH_COMPARE_ARGS); \
	done

# Needs the reference PyTorch (TORCH_PYTHON); the peers link the libtorch its wheel carries.
# The peers run on the CPU only, but a CUDA wheel's TorchConfig probes for GPUs with a CUDA20 test
# project that CMake 3.25 cannot generate (TORCH_CUDA_ARCH_LIST skips the probe), and its
# libtorch_cuda.so names NCCL symbols newer than the system NCCL the linker finds (they are
# resolved lazily at run time and never called on the CPU).
bench-compare: build
	cmake -S . -B $(PEERS) -G Ninja -DCMAKE_BUILD_TYPE=Release -DACCEL_BUILD_TESTS=OFF -DACCEL_CUDA=OFF \
	  -DACCEL_BENCH_LIBTORCH=ON -DACCEL_TORCH_PYTHON=$(TORCH_PYTHON) -DTORCH_CUDA_ARCH_LIST=9.0 \
	  -DCMAKE_EXE_LINKER_FLAGS=-Wl,--unresolved-symbols=ignore-in-shared-libs
	cmake --build $(PEERS) -j$(JOBS) --target $(addprefix bench_peer_,$(PEER_STEMS))
	@set -e; for s in $(PEER_STEMS); do \
	  echo "== accel vs libtorch: $$s"; \
	  tools/bench_compare.py $(RELEASE)/bench_$$s $(PEERS)/bench_peer_$$s $(BENCH_COMPARE_ARGS); \
	done
	@if [ -f $(DEBIAN_TORCH_DIR)/TorchConfig.cmake ]; then \
	  set -e; \
	  cmake -S . -B $(DEBIAN_PEERS) -G Ninja -DCMAKE_BUILD_TYPE=Release -DACCEL_BUILD_TESTS=OFF -DACCEL_CUDA=OFF \
	    -DACCEL_BENCH_LIBTORCH=ON -DTorch_DIR=$(DEBIAN_TORCH_DIR); \
	  cmake --build $(DEBIAN_PEERS) -j$(JOBS) --target $(addprefix bench_peer_,$(PEER_STEMS)); \
	  for s in $(PEER_STEMS); do \
	    echo "== accel vs Debian's libtorch: $$s"; \
	    tools/bench_compare.py $(RELEASE)/bench_$$s $(DEBIAN_PEERS)/bench_peer_$$s $(BENCH_COMPARE_ARGS); \
	  done; \
	else echo "== no Debian libtorch (tools/setup-debian-torch.sh installs it): skipped"; fi

asan: deps
	cmake --preset asan
	cmake --build --preset asan -j$(JOBS)
	ctest --preset asan -j$(JOBS) --output-on-failure

clean:
	rm -rf build
