# The commands the README and CONTRIBUTING.md show. Everything runs in a project virtual
# environment, .venv. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
BUILD_DEPS := "scikit-build-core>=0.11" "pybind11>=3" ninja cmake
CTEST_DIR := build/ctest
ASAN_VENV := .venv-asan
# The requirements of one extra of pyproject.toml, read without building the package.
EXTRA = $$($(PY) -c 'import sys; tomllib = __import__("tomllib" if sys.version_info >= (3, 11) \
	else "pip._vendor.tomli", fromlist=["x"]); print(" ".join(\
	tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"][sys.argv[1]]))' $(1))
PY_SOURCES := outliers tests benchmarks notebooks docs/conf.py cpp/examples
CPP_SOURCES = $$(find cpp -name '*.hpp' -o -name '*.cpp' -o -name '*.inc')
# No function over 100 lines and no file over 600 outside the tests (the cyclomatic complexity
# lizard reports is only advice).
LIZARD := -L 100 -C 1000 -w
LINTED_FILES = $$(find cpp/include cpp/python cpp/embed cpp/examples outliers benchmarks \
	-name '*.py' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.inc')
SPHINX = $(VENV)/bin/sphinx-build -E -W --keep-going -n -b html docs docs/_build/html

.PHONY: help all venv install demo lint stubtest docs docs-html test test-cpp test-aarch64 \
	test-embed test-embed-asan test-python sanitize bench bench-report clean

all: demo

help:  ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /\1\t/' | \
		awk -F '\t' '{ printf "  make %-16s %s\n", $$1, $$2 }'

# The environment: the build tools; `install` adds the package and its extras.
$(VENV)/.deps:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(BUILD_DEPS)
	touch $@

venv: $(VENV)/.deps  ## .venv with the build tools

# The lint tools alone: linting never needs a build of the package.
$(VENV)/.lint: pyproject.toml $(VENV)/.deps
	$(PIP) install --quiet $(call EXTRA,lint)
	touch $@

# Non-isolated build into a persistent build dir (build/<wheel tag>): rebuilds are incremental.
install: venv  ## build and install the package into .venv, with the test, lint and docs extras
	$(PIP) install --quiet --no-build-isolation ".[test,lint,docs]"

demo: install  ## every method on the bundled NOAA data
	$(VENV)/bin/outliers demo

lint: $(VENV)/.lint  ## ruff (check, format), clang-format, mypy, lengths: no build needed
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)
	$(VENV)/bin/clang-format --dry-run -Werror $(CPP_SOURCES)
	$(VENV)/bin/mypy
	$(VENV)/bin/lizard $(LIZARD) cpp/include cpp/python cpp/embed outliers benchmarks
	@awk 'FNR == 601 { print FILENAME ": over 600 lines"; long = 1 } END { exit long }' $(LINTED_FILES)

# The stub outliers/_core.pyi against the built module; run from tests/ so that the installed
# package, not the source tree (which has no compiled core), is imported.
stubtest: install  ## the stub of the compiled core against the installed build
	cd tests && ../$(PY) -m mypy.stubtest outliers._core --mypy-config-file ../pyproject.toml

# The documentation, the notebooks executed by myst-nb at build time; warnings are errors and
# nothing is fetched from the network. docs-html builds with whichever outliers Python imports
# (PYTHONPATH=... make docs-html for a development build).
docs: install  ## the documentation, in docs/_build/html
	$(MAKE) docs-html

docs-html:  ## the documentation, without installing first
	rm -rf docs/api/generated
	$(SPHINX)

test-cpp: venv  ## the C++ tests (ctest), no Python
	$(VENV)/bin/cmake -S cpp -B $(CTEST_DIR) -G Ninja -DOUTLIERS_PYTHON=OFF -DOUTLIERS_TESTS=ON \
		-DOUTLIERS_WERROR=$${CI:-OFF} -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV))/bin/ninja
	$(VENV)/bin/cmake --build $(CTEST_DIR)
	$(VENV)/bin/ctest --test-dir $(CTEST_DIR) --output-on-failure

# The source on 64-bit ARM (the wheel is x86-64; the source must build on aarch64, with no x86
# code path): the C++ tests cross-built and run under qemu-user, then the module's and the
# embedding example's sources compiled for aarch64 (warnings as errors; not linked: there is
# no ARM Python here). Needs Debian's g++-aarch64-linux-gnu and qemu-user (.ci/run installs
# them); without them it says so and skips, but fails under CI.
AARCH64_FLAGS = -std=c++17 -fsyntax-only -fvisibility=hidden -ffp-contract=off -Wall -Wextra \
	-Wpedantic -Wconversion -Werror -Icpp/include -Icpp/embed/include -Icpp/python $$($(PY) -m pybind11 --includes)
AARCH64_TOOLS := $(shell command -v aarch64-linux-gnu-g++ >/dev/null && command -v qemu-aarch64 >/dev/null && echo yes)
ifeq ($(AARCH64_TOOLS),yes)
test-aarch64: venv  ## the C++ tests built for 64-bit ARM, run under qemu-user
	$(VENV)/bin/cmake -S cpp -B build/ctest-aarch64 -G Ninja -DOUTLIERS_PYTHON=OFF -DOUTLIERS_TESTS=ON \
		-DOUTLIERS_WERROR=ON -DCMAKE_TOOLCHAIN_FILE=$(abspath cpp/cmake/aarch64-linux-gnu.cmake) \
		-DCMAKE_MAKE_PROGRAM=$(abspath $(VENV))/bin/ninja
	$(VENV)/bin/cmake --build build/ctest-aarch64
	$(VENV)/bin/ctest --test-dir build/ctest-aarch64 --output-on-failure --parallel 2
	@for f in cpp/python/*.cpp cpp/examples/host.cpp; do \
		echo "aarch64-linux-gnu-g++ -fsyntax-only $$f"; aarch64-linux-gnu-g++ $(AARCH64_FLAGS) $$f || exit 1; done
else
test-aarch64:
	@echo "test-aarch64: skipped: needs aarch64-linux-gnu-g++ and qemu-aarch64" \
		"(apt-get install g++-aarch64-linux-gnu qemu-user)"
	@test -z "$${CI:-}"
endif

# The native host: embeds the venv's Python and calls cpp/examples/example_detect.py.
EMBED_ENV = PYTHONPATH=$(abspath cpp/examples):$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
test-embed: install  ## the example native host calling a Python detect function
	$(VENV)/bin/cmake -S cpp -B build/embed -G Ninja -DOUTLIERS_PYTHON=OFF -DOUTLIERS_EXAMPLES=ON \
		-DPython_EXECUTABLE=$(abspath $(PY)) -Dpybind11_DIR=$$($(PY) -m pybind11 --cmakedir) \
		-DOUTLIERS_WERROR=$${CI:-OFF} -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV))/bin/ninja
	$(VENV)/bin/cmake --build build/embed
	$(EMBED_ENV) build/embed/host

# The same host under AddressSanitizer + UBSan (leaks off: CPython keeps objects until exit).
test-embed-asan: install  ## the same host under AddressSanitizer + UBSan
	$(VENV)/bin/cmake -S cpp -B build/embed-asan -G Ninja -DOUTLIERS_PYTHON=OFF -DOUTLIERS_EXAMPLES=ON \
		-DOUTLIERS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DPython_EXECUTABLE=$(abspath $(PY)) \
		-Dpybind11_DIR=$$($(PY) -m pybind11 --cmakedir) -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV))/bin/ninja
	$(VENV)/bin/cmake --build build/embed-asan
	ASAN_OPTIONS=detect_leaks=0 $(EMBED_ENV) build/embed-asan/host

# Tests import the installed package; run from tests/ so the source tree does not shadow it.
test-python: install  ## pytest and the doctests on the installed package
	cd tests && ../$(PY) -m pytest -c ../pyproject.toml --rootdir=.. -p no:cacheprovider $(PYTEST_ARGS) . --doctest-modules --pyargs outliers

test: lint test-cpp test-aarch64 test-embed test-embed-asan test-python stubtest  ## everything CI runs
	$(MAKE) docs-html

# AddressSanitizer + UBSan: the C++ tests and the whole Python suite on an instrumented build
# (but the browser test: the preloaded ASan runtime would also be loaded into Chromium).
sanitize: test-embed-asan  ## C++ tests and the Python suite on an ASan + UBSan build
	$(VENV)/bin/cmake -S cpp -B build/ctest-asan -G Ninja -DOUTLIERS_PYTHON=OFF -DOUTLIERS_TESTS=ON \
		-DOUTLIERS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV))/bin/ninja
	$(VENV)/bin/cmake --build build/ctest-asan
	$(VENV)/bin/ctest --test-dir build/ctest-asan --output-on-failure
	$(PYTHON) -m venv $(ASAN_VENV)
	$(ASAN_VENV)/bin/python -m pip install --quiet $(BUILD_DEPS)
	$(ASAN_VENV)/bin/python -m pip install --quiet --no-build-isolation \
		-Cbuild-dir=build/asan -Ccmake.build-type=Debug -Ccmake.define.OUTLIERS_SANITIZE=ON ".[test]"
	cd tests && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		LD_PRELOAD="$$($(CXX) -print-file-name=libasan.so) $$($(CXX) -print-file-name=libubsan.so)" \
		../$(ASAN_VENV)/bin/python -m pytest -c ../pyproject.toml --rootdir=.. -p no:cacheprovider -x -q -m "not browser" . $(PYTEST_ARGS)

# The bench extra, then package by package if the whole fails: the suite skips what is missing
# and says so in results.json and the benchmarks page. Then the suites (~15 min), then the page.
BENCH_REQS = $$($(PY) benchmarks/bench_methods.py --requirements)
bench: install  ## the benchmark suite (~15 min), then docs/benchmarks.md
	$(PIP) install --quiet $(BENCH_REQS) || for req in $(BENCH_REQS); do \
		$(PIP) install --quiet "$$req" || echo "bench: cannot install $$req: skipped"; done
	$(PY) benchmarks/bench_methods.py --output benchmarks/results.json
	$(PY) benchmarks/bench_windows.py --output benchmarks/windows_results.json
	$(PY) benchmarks/report.py --results benchmarks/results.json \
		--windows-results benchmarks/windows_results.json

bench-report: venv  ## docs/benchmarks.md and the sweep plot from the committed results (no timing)
	$(PY) benchmarks/report.py --results benchmarks/results.json

clean:  ## remove the builds, the environments and the built docs
	rm -rf build $(VENV) $(ASAN_VENV) docs/_build docs/api/generated
