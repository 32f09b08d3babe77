# Entry points: `make demo` and `make test` work on a fresh Debian machine.
JOBS ?= 2
RELEASE := build/release
# The demo grows with the library: examples/demo.cpp once it exists, the tensor tour until then.
DEMO := $(if $(wildcard examples/demo.cpp),demo,tensor_demo)
CHECK_LAYERS := ../shared/tools/check-layers

.PHONY: deps configure build test demo bench asan clean

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
	$(RELEASE)/$(DEMO)

bench: build
	@set -e; for b in $(RELEASE)/bench_*; do \
	  [ -x "$$b" ] || continue; \
	  echo "== $$b"; "$$b" --benchmark_min_time=0.2; \
	done

asan: deps
	cmake --preset asan
	cmake --build --preset asan -j$(JOBS)
	ctest --preset asan -j$(JOBS) --output-on-failure

clean:
	rm -rf build
