# dbduck — the one entry point. Every target installs what it needs, idempotently.
#   make demo    replicate the emulator's sample workspace into demo.duckdb
#   make test    all tests (Swift and the emulator's conformance suite)
#   make build   release binary at .build/release/dbduck
#   make install dbduck, its libduckdb and shell completions under PREFIX (default /usr/local)
#   make bench   benchmarks, with peers side by side (bench/results/latest.json)
#   make duckdb  build or find libduckdb (once per machine)
#   make venv    the Python venv at .venv/ (emulator, conformance tests, benchmark peers)
#   make fuzz    run the Arrow IPC fuzzer (FUZZ_SECONDS, default 600)
#   make clean   remove build products (not the DuckDB cache)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT      := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
STATE     := $(ROOT)/.build/make
PREFIX_F  := $(STATE)/duckdb-prefix
VENV      := $(ROOT)/.venv
PYTHON    ?= python3
FUZZ_SECONDS ?= 600
PREFIX    ?= /usr/local

# Read at recipe time, after the `duckdb` target has written it.
duckdb_prefix = $(shell cat $(PREFIX_F))
# Our own duckdb.pc (absolute prefix, no -Wl,-rpath, which SwiftPM rejects with a warning).
swift_env     = PKG_CONFIG_PATH="$(STATE)/pkgconfig:$${PKG_CONFIG_PATH:-}"
# SwiftPM drops -Wl,-rpath from pkg-config output, so the binary gets its rpaths here: first
# $ORIGIN/../lib/dbduck, where `make install` puts libduckdb next to bin/, then the build cache.
swift_link    = -Xlinker -rpath -Xlinker '$$ORIGIN/../lib/dbduck' -Xlinker -rpath -Xlinker "$(duckdb_prefix)/lib"

.PHONY: help build debug install test test-swift test-emulator test-install demo bench duckdb venv sysdeps fuzz clean

help:
	@sed -n '2,11p' $(ROOT)/Makefile | sed 's/^# //'

# MARK: prerequisites

duckdb: $(PREFIX_F)
$(PREFIX_F): $(ROOT)/scripts/bootstrap-duckdb
	@mkdir -p $(STATE)
	@prefix=$$($(ROOT)/scripts/bootstrap-duckdb) && mkdir -p $(STATE)/pkgconfig && \
	  printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: duckdb\nDescription: DuckDB C API\nVersion: %s\nLibs: -L$${libdir} -lduckdb\nCflags: -I$${includedir}\n' \
	    "$$prefix" "$$($(ROOT)/scripts/bootstrap-duckdb --print-version)" > $(STATE)/pkgconfig/duckdb.pc && \
	  echo "$$prefix" > $@.tmp && mv $@.tmp $@
	@echo "[make] libduckdb: $$(cat $@)"

# liblz4 and libzstd headers for the Arrow IPC reader.
sysdeps: $(STATE)/sysdeps
$(STATE)/sysdeps:
	@mkdir -p $(STATE)
	@missing=""; for p in liblz4-dev libzstd-dev pkg-config; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "[make] installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo="sudo"; \
	  { $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; } || \
	    { echo "[make] error: could not install$$missing with apt-get; install them and rerun." >&2; exit 1; }; \
	fi
	@touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: $(ROOT)/emulator/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "[make] error: $(PYTHON) not found; install Python 3.11+ and rerun." >&2; exit 1; }
	@[ -x $(VENV)/bin/python ] || { echo "[make] creating the Python venv at .venv"; $(PYTHON) -m venv $(VENV); }
	@echo "[make] installing Python packages (emulator/requirements.txt)"
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r $(ROOT)/emulator/requirements.txt
	@touch $@

# MARK: build

build: duckdb sysdeps
	@echo "[make] swift build -c release"
	@cd $(ROOT) && $(swift_env) swift build -c release $(swift_link)
	@echo "[make] built $(ROOT)/.build/release/dbduck"

debug: duckdb sysdeps
	@cd $(ROOT) && $(swift_env) swift build $(swift_link)

install: build
	@cd $(ROOT) && scripts/install "$(PREFIX)" .build/release/dbduck "$(duckdb_prefix)/lib"

# MARK: test

test: test-swift test-emulator test-install

test-swift: duckdb sysdeps venv
	@echo "[make] swift test"
	@cd $(ROOT) && $(swift_env) DBDUCK_VENV="$(VENV)" swift test $(swift_link)

# `make install` into a temporary prefix, run as another user; the debug binary
# stands in for the release one (same link flags), so the test needs no second, release build.
test-install: debug
	@echo "[make] install into a temporary prefix"
	@cd $(ROOT) && scripts/test-install .build/debug/dbduck "$(duckdb_prefix)/lib"

test-emulator: venv
	@echo "[make] emulator conformance tests (pytest)"
	@cd $(ROOT) && if [ -d emulator/tests ]; then $(VENV)/bin/python -m pytest -q emulator/tests bench/tests; \
	  else echo "[make] error: emulator/tests is missing" >&2; exit 1; fi

# MARK: product

demo: build venv
	@cd $(ROOT) && scripts/demo

bench: build venv
	@cd $(ROOT) && bench/run
	@echo "[make] Arrow decode + ingest vs DuckDB's own Parquet ingest (bench/arrow-ingest)"
	@cd $(ROOT) && bench/arrow-ingest/run

fuzz: duckdb sysdeps
	@cd $(ROOT) && $(swift_env) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

clean:
	@cd $(ROOT) && rm -rf .build demo.duckdb demo-data
	@echo "[make] removed .build (the DuckDB cache in $${XDG_CACHE_HOME:-$$HOME/.cache}/dbduck stays)"
