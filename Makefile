# Driftscope: `make run` and `make test` do all set-up on a fresh Debian machine with Swift 6.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/driftscope
# Tests run against optimised code (training on ml-100k in a debug build would take minutes),
# with -enable-testing so @testable imports work in release. One build serves the tests and
# the binary the CLI and tmux tests drive, so `swift test` must not rebuild (--skip-build).
# The CPU the optimised code targets: the build machine's own vector level by default, since
# `make` builds where it runs: AVX-512 (skylake-avx512), else AVX2 + FMA (haswell), else the
# portable x86-64 baseline (also on other architectures). The propagation and scoring kernels
# are 2-4x faster with wide registers and fused multiply-adds (docs/BENCHMARKS.md), which the
# code uses only when told so: DRIFTSCOPE_FMA, DRIFTSCOPE_AVX512. `make build CPU=` gives a
# binary for any x86-64.
CPU ?= $(shell if grep -qw avx512bw /proc/cpuinfo 2>/dev/null && grep -qw avx512vl /proc/cpuinfo; then echo skylake-avx512; \
                elif grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo; then echo haswell; fi)
cpu := $(strip $(CPU))
CPU_FLAGS := $(if $(cpu),-Xswiftc -target-cpu -Xswiftc $(cpu)) \
             $(if $(filter skylake-avx512 haswell,$(cpu)),-Xswiftc -DDRIFTSCOPE_FMA) \
             $(if $(filter skylake-avx512,$(cpu)),-Xswiftc -DDRIFTSCOPE_AVX512)
RELEASE_FLAGS := -c release $(CPU_FLAGS)
TEST_FLAGS := $(RELEASE_FLAGS) -Xswiftc -enable-testing

# Seconds `make fuzz` gives each fuzz target.
FUZZ_SECONDS ?= 60

# Where `make install` puts the binary (PREFIX/bin) and editable copies of the shipped
# themes and scenarios (PREFIX/share/driftscope); DESTDIR for staged installs.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build run test bench fuzz dataset embed install uninstall clean

all: build

## deps: install the system packages that are missing (ncursesw headers, tmux, python3 + pip,
## chromium, in which the screenshot tests check where a browser draws each cell, the hiredis
## headers and redis-server, which the stream tests start on a free loopback port)
deps:
	@missing=""; \
	[ -e /usr/include/ncursesw/ncurses.h ] || missing="$$missing libncursesw5-dev"; \
	command -v tmux >/dev/null 2>&1 || missing="$$missing tmux"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	python3 -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -e /usr/include/hiredis/hiredis.h ] || missing="$$missing libhiredis-dev"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing missing system packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "make: swift not found: install Swift 6 (https://swift.org/install) and retry"; exit 1; }

## build: release build of the driftscope binary
build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product driftscope

## run: build, then open the dashboard on the bundled simulated shop (pass ARGS="..." for more)
run: build
	@$(BIN) $(ARGS)

## dataset: fetch ml-100k into the user cache (never committed; licence forbids redistribution)
dataset: build
	$(BIN) dataset fetch ml-100k

## test: build, fetch ml-100k, run every test (unit, snapshot, fuzz seeds, CLI, tmux end-to-end and
## the screenshots in headless chromium)
test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(BIN) dataset fetch ml-100k
	DRIFTSCOPE_BIN=$(CURDIR)/$(BIN) $(SWIFT) test $(TEST_FLAGS) --skip-build

## bench: every benchmark, in release (figures recorded in docs/BENCHMARKS.md)
bench: build
	$(BIN) dataset fetch ml-100k
	$(BIN) bench all

## fuzz: libFuzzer on the CSV/TSV reader, the JSON Lines reader and the TOML parser,
## FUZZ_SECONDS each (seeds in Tests/FuzzCorpus/; findings in .build/fuzz/artifacts/). Not part of `make test`.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/fuzz.sh

## embed: regenerate the compiled-in scenarios from sample-data/scenarios/*.toml (ScenarioTests checks)
embed:
	python3 scripts/embed-scenarios.py

## install: the release binary to $(PREFIX)/bin, themes and scenarios to $(PREFIX)/share/driftscope.
## The binary carries the shipped scenarios and themes, so `driftscope` works from any directory;
## the installed files are editable copies that take precedence over the compiled-in ones.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/driftscope/themes $(DESTDIR)$(PREFIX)/share/driftscope/scenarios
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/driftscope
	install -m 0644 themes/*.toml themes/README.md $(DESTDIR)$(PREFIX)/share/driftscope/themes/
	install -m 0644 sample-data/scenarios/*.toml $(DESTDIR)$(PREFIX)/share/driftscope/scenarios/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/driftscope
	rm -rf $(DESTDIR)$(PREFIX)/share/driftscope

clean:
	rm -rf .build
