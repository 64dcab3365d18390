# aireg - build, run and test. See README.md.
#
#   make            build ./aireg
#   make run        install what is missing, build, load the real register, serve on :8080
#   make test       install, build, run every test
#   make check      the whole suite under AddressSanitizer and UndefinedBehaviorSanitizer

PKGS     := libmicrohttpd jansson sqlite3 libsodium yaml-0.1 xlsxwriter
CC       ?= cc
CSTD     := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wmissing-format-attribute -Wno-format-truncation -Wno-unused-parameter
OPT      ?= -O2 -g
SAN      ?=
BUILD    ?= build
BIN      ?= aireg
CFLAGS_ALL := $(CSTD) $(WARN) $(OPT) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Isrc -I$(BUILD)
LDLIBS_ALL := $(SAN) $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

SRCS     := $(filter-out src/main.c,$(wildcard src/*.c))
OBJS     := $(SRCS:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/embedded.o $(BUILD)/obj/templates.o
HDRS     := $(wildcard src/*.h)
NLDS_CSS := node_modules/@utrecht/component-library-css/dist/index.css
THEME_CSS := node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css
TEMPLATES := $(sort $(wildcard web/templates/*.html))
EMBED    := $(NLDS_CSS) $(THEME_CSS) $(sort $(wildcard web/i18n/*.tsv web/static/*) \
	$(wildcard data/register/*.json data/orgs/*.csv migrations/*.sql rules/*.yaml rules/*/*.yaml rules/algoritmekader/*.json))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test check unit api lint deps clean

all: $(BIN)

deps:
	@scripts/install-deps

$(BUILD)/obj/%.o: src/%.c $(HDRS) $(BUILD)/embedded.h | $(BUILD)/obj
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/obj $(BUILD)/tests:
	@mkdir -p $@

# Data files compiled into the binary (field configuration, organisation lists, schema).
$(BUILD)/embed: tools/embed.c | $(BUILD)/obj
	$(CC) $(CSTD) $(WARN) -O1 -o $@ $<
$(BUILD)/embedded.c $(BUILD)/embedded.h: $(BUILD)/embed $(EMBED)
	$(BUILD)/embed $(BUILD)/embedded $(EMBED)
$(BUILD)/obj/embedded.o: $(BUILD)/embedded.c
	$(CC) $(CSTD) $(OPT) -c -o $@ $<

# The NL Design System's CSS comes from npm (see package.json).
$(NLDS_CSS) $(THEME_CSS): package-lock.json
	@scripts/install-deps --npm-only
	@touch $(NLDS_CSS) $(THEME_CSS)

# Templates compiled to C (tools/tmplc.c): escaping by default.
$(BUILD)/tmplc: tools/tmplc.c | $(BUILD)/obj
	$(CC) $(CSTD) $(WARN) -O1 -o $@ $<
$(BUILD)/templates.c: $(BUILD)/tmplc $(TEMPLATES)
	$(BUILD)/tmplc $@ $(TEMPLATES)
$(BUILD)/obj/templates.o: $(BUILD)/templates.c src/tmpl.h
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -Wno-unused-function -c -o $@ $<

$(BIN): $(BUILD)/obj/main.o $(OBJS)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(OBJS) tests/unit/testutil.h | $(BUILD)/tests
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(OBJS) $(LDLIBS_ALL) -lcmocka

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@tests/run-all $(BUILD) ./$(BIN)

check: deps
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/aireg OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" build-asan/aireg \
		$(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		tests/run-all build-asan build-asan/aireg

clean:
	rm -rf build build-asan $(BIN)

# ---- fuzzing (tests/fuzz/, docs/fuzzing.md) ----
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="form csv"]
#                   build every libFuzzer target (clang, -fsanitize=fuzzer,address,undefined, over
#                   all project objects but main.o, built the same way into build-fuzz/) and run
#                   each for N seconds (default 10) from its committed corpus
#   make fuzz-smoke the short run CI does (2 s per target)
#   make fuzz-build only build the targets
#
# A target is tests/fuzz/fuzz_NAME.c; its seeds are tests/fuzz/corpus/NAME/ (only read: what a run
# finds goes to build-fuzz/corpus/NAME/), its dictionary tests/fuzz/dict/NAME.dict if present.
# Crashes land in build-fuzz/artifacts/. fuzz_route includes src/http.c (route matching is static
# there) and so links every object but http.o.
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 10
FUZZ_ALL     := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJS    := $(SRCS:src/%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_BUILD)/obj/embedded.o $(FUZZ_BUILD)/obj/templates.o
FUZZ_BINS    := $(FUZZ_ALL:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-bins fuzz-smoke fuzz-clean fuzz-long

fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=2

# The objects are the ordinary build's rules with BUILD=build-fuzz, CC=clang and the sanitizers
# plus libFuzzer's coverage instrumentation. Without -Werror: clang 14 warns where gcc does not
# (-Wformat-nonliteral from -Wformat=2, unknown -Wno-format-truncation), and that is not a finding.
fuzz-build:
	@command -v clang >/dev/null || { echo "make fuzz: clang is missing (scripts/install-deps)" >&2; exit 1; }
	@mkdir -p $(FUZZ_BUILD)/fuzz && echo '*' >$(FUZZ_BUILD)/.gitignore
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" SAN="$(FUZZ_SANFLAGS)" \
		WARN="$(filter-out -Werror,$(WARN)) -Wno-unknown-warning-option" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	@echo "  FUZZ    $@"
	@$(CC) $(CFLAGS_ALL) -Itests/fuzz -fsanitize=fuzzer -o $@ $< \
		$(filter-out $(if $(filter fuzz_route,$(@F)),$(FUZZ_BUILD)/obj/http.o),$(FUZZ_OBJS)) $(LDLIBS_ALL)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

clean: fuzz-clean

# make fuzz-long [FUZZ_RUNS=10000000] [FUZZ_JOBS=2]: every target (or FUZZ_TARGETS) to N executions,
# FUZZ_JOBS at a time at nice 19, from copies of the binaries in build-fuzz/long/ (so that a rebuild
# does not touch a running target); counts in build-fuzz/long/summary, recorded in docs/fuzzing.md.
FUZZ_RUNS ?= 10000000
FUZZ_JOBS ?= 2
fuzz-long: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/long/fuzz && cp $(FUZZ_BINS) $(FUZZ_BUILD)/long/fuzz/
	@printf '%s\n' $(FUZZ_TARGETS) | FUZZ_RUNS=$(FUZZ_RUNS) xargs -P $(FUZZ_JOBS) -I{} \
		nice -n 19 tests/fuzz/run $(FUZZ_BUILD)/long 0 {} | tee -a $(FUZZ_BUILD)/long/summary

# ---- benchmarks (bench/, BENCHMARKS.md; not part of make test or CI) ----
#
#   make bench      installs wrk, nginx-light, GNU time, valgrind, sqlite3, curl (scripts/install-deps
#                   --bench), builds, and runs bench/run: imports, start-up, memory, wrk against
#                   aireg and nginx. bench/soak (10 minutes) and bench/valgrind-api run on their own.
.PHONY: bench
bench:
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all
	@bench/run ./$(BIN)
