# SPDX-License-Identifier: MIT
# fin — the README's commands. Each installs what a fresh Debian 12 lacks.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc)

.PHONY: all deps deps-demo demo test test-fast attack dst format bench abuse coverage docs termination-doc install clean explore

all: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIN_TESTS=ON >/dev/null
	@echo "building fin in $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j $(JOBS) >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }

deps:
	@./scripts/install-deps.sh

deps-demo:
	@./scripts/install-deps.sh --demo

# fin's main job: the simulated-network tour of every way a connection ends.
# Needs only what the demo uses: a C compiler, CMake and libpcap (no cmocka,
# no tshark); it builds the fin tool alone.
demo: deps-demo
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIN_TESTS=OFF >/dev/null
	@echo "building fin in $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j $(JOBS) --target fin >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }
	./scripts/demo.sh $(BUILD)

# The whole suite, under ASan+UBSan.
test: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFIN_SANITIZE=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS) -LE interop
	@# Interop runs the real kernel in real time: a failure is printed, and
	@# the test gets one more try (virtual-time tests never do).
	cd $(TEST_BUILD) && ctest --output-on-failure -L interop --repeat until-pass:2

# Same suite without sanitizers (quicker edit/compile loop).
test-fast: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Deterministic simulation testing: DST_SEEDS generated histories (fin sim
# --random) from DST_FIRST on DST_JOBS processes, on the release build;
# prints seeds per hour, failures with their replay commands, and what the
# runs covered (endings, faults, applications, invariant checks). A failing
# seed's pcap, NDJSON and ladder go to $(BUILD)/dst-out/.
DST_SEEDS ?= 100000
DST_JOBS  ?= $(JOBS)
DST_FIRST ?= 0
# Then the load and abuse runs at full scale (issue 12: "in make dst at full
# scale"; the same as make abuse).
dst: all
	./scripts/dst.sh $(BUILD)/fin $(DST_SEEDS) $(DST_JOBS) $(DST_FIRST) $(BUILD)/dst-out
	$(BUILD)/tests/fin_abuse all --scale full

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# The attack catalogue's replays in tests/attack and the check that every
# case has a test (docs/attack-coverage.md), under ASan+UBSan; the older
# tests tagged ATTACK elsewhere run in `make test`.
attack: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFIN_SANITIZE=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS) -R '^attack/|^unit/attack_coverage$$'

# The generated coverage tables. The attack table is written through a
# temporary file: without ../shared the script reads its IDs from the
# committed table itself.
coverage:
	./scripts/behavior-coverage.sh > docs/behavior-coverage.md
	./scripts/attack-coverage.sh > docs/attack-coverage.md.tmp || { rm -f docs/attack-coverage.md.tmp; exit 1; }
	mv docs/attack-coverage.md.tmp docs/attack-coverage.md

# The API reference (doxygen; any warning fails) into $(BUILD)/docs/html.
docs: deps
	./scripts/api-docs.sh $(BUILD)/docs

# docs/termination.md's ladders and docs/img/ from real fin sim runs (ctest
# docs/termination checks that they still match). Builds the fin tool alone.
termination-doc: deps-demo
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIN_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target fin >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }
	./scripts/gen-termination-doc.sh $(BUILD)/fin

bench: all
	./scripts/bench.sh $(BUILD)

# Load and abuse at full scale, without sanitizers (tests/abuse/; ctest runs
# the same at modest scale, label abuse): 10^6 blind spoofed RST/SYN/data/FIN
# segments into a live connection, 10^5 spoofed SYNs at 10 k/s among real
# connects, 1,000 orphans against each hostile peer kind. Prints the
# figures and fails if one breaks its bound.
abuse: all
	$(BUILD)/tests/fin_abuse all --scale full

# Exhaustive exploration of the close handshakes, deeper than make test's
# (K=3, 300 bytes, under ASan): every schedule of up to EXPLORE_K faults with
# EXPLORE_BYTES each way, every lifecycle, both families, for each settings
# profile in EXPLORE_PROFILES (default bsd noopt mixed; tests/explore/).
EXPLORE_K        ?= 4
EXPLORE_BYTES    ?= 3000
EXPLORE_PROFILES ?= default
explore: all
	./scripts/explore.sh $(BUILD) $(EXPLORE_K) $(EXPLORE_BYTES) $(JOBS) "$(EXPLORE_PROFILES)"

# Headers, libfin/libfin_net (static and shared), fin.pc and the CMake
# package under PREFIX (default /usr/local).
PREFIX ?= /usr/local
install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
