# vnicsim: one non-recursive Makefile.
#
#   make            build build/vnicsim
#   make demo       install deps if needed, build, run the default job, print its summary
#   make test       install deps if needed, build, run the test suite ("N passed, M failed")
#   make bench      build and run the benchmarks (figures printed and compared in one run)
#   make test-cluster  a sweep as a Slurm job array on a throwaway single-node cluster (root)
#   make plots      run the sweep $(SWEEP) into $(BUILD)/sweeps/NAME (resuming) and plot it
#   make deps       install the Debian packages vnicsim needs (root), or print the command
#   make install    install the program into $(PREFIX)/bin
#   make clean
#
# Knobs: CC=clang, SANITIZE=1 (ASan+UBSan, objects under build/san/), BUILD=dir
# (another build tree, e.g. for parallel work), V=1 (show commands), PREFIX=/usr/local.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
O        := $(BUILD)/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      ?= -O1
else
O        := $(BUILD)
SANFLAGS :=
OPT      ?= -O2
endif

STD      := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
DEBUG    := -g
INCS     := -I. -I$(O)/gen
DEPFLAGS  = -MMD -MP
ALL_CFLAGS = $(STD) $(OPT) $(DEBUG) $(WARN) $(SANFLAGS) $(INCS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LDLIBS   := -ljansson -lpcap -lz -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Every .c under these rooms goes into the library; sim/main.c is the program's entry point.
LIB_SRC  := $(filter-out sim/main.c,$(sort $(wildcard sim/*.c model/*.c model/*/*.c traces/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/obj/%.o) $(O)/obj/gen/presets_data.o
LIB      := $(O)/libvnicsim.a
PROG     := $(O)/vnicsim
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(O)/tests/%)
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(O)/bench/%)
PRESETS  := $(sort $(wildcard configs/*.json))

.PHONY: all test bench demo deps install clean test-build plots reproduce test-cluster FORCE
FORCE:
.DEFAULT_GOAL := all

all: $(PROG)

# Debian packages; tools/deps.sh installs them when missing (root) or prints the command.
deps:
	$(Q)sh tools/deps.sh

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

# Presets are compiled in so the program runs from any directory.
# The list of preset files is itself a dependency (rewritten only when it changes), so a
# preset added or removed with an old timestamp still regenerates the embedded table.
$(O)/gen/presets.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PRESETS)' | cmp -s - $@ || echo '$(PRESETS)' > $@

$(O)/gen/presets_data.c: $(PRESETS) $(O)/gen/presets.list tools/embed.sh
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   configs/*.json")
	$(Q)sh tools/embed.sh $(PRESETS) > $@.tmp && mv $@.tmp $@

$(O)/obj/gen/presets_data.o: $(O)/gen/presets_data.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROG): $(O)/obj/sim/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: $(O)/obj/tests/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/%: $(O)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

test-build: $(PROG) $(TEST_BIN)

test: deps
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)VNICSIM=$(PROG) BUILD_DIR=$(O) sh tests/run.sh $(TEST_BIN)

bench: $(PROG) $(BENCH_BIN)
	$(Q)VNICSIM=$(PROG) BUILD_DIR=$(O) sh bench/run.sh $(BENCH_BIN)

# Sweeps (sim/sweep.c, analysis/README.md): Slurm test (installs slurm-wlm, munge) and plots.
test-cluster: $(PROG)
	$(Q)VNICSIM=$(PROG) bash tests/cluster/t_slurm.sh

SWEEP ?= analysis/sweeps/send-size.json
plots: $(PROG)
	$(Q)d=$(BUILD)/sweeps/$(basename $(notdir $(SWEEP))); \
	$(PROG) sweep $(SWEEP) -o $$d --resume -j2 && $(PROG) plot $$d

# The study's figures and tables into results/paper/ (analysis/reproduce.sh; < 1 min).
reproduce: $(PROG)
	$(Q)VNICSIM=$(PROG) sh analysis/reproduce.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory $(PROG)
	$(Q)$(PROG) run --preset ws2-pc733 --set workload.bytes=10485760 --force -o $(BUILD)/demo

install: $(PROG)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROG) $(DESTDIR)$(PREFIX)/bin/vnicsim

clean:
	rm -rf $(BUILD)

# libFuzzer target for the device model (clang, Debian libclang-rt-14-dev):
#   make fuzz FUZZ_SECONDS=60   new inputs land in $(BUILD)/fuzz/corpus; seeds in tests/fuzz/corpus
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@mkdir -p $(BUILD)/fuzz/corpus
	clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_pcnet.c model/lance/pcnet.c \
	    model/gmem.c -o $(BUILD)/fuzz/fuzz_pcnet
	$(BUILD)/fuzz/fuzz_pcnet -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 \
	    $(BUILD)/fuzz/corpus tests/fuzz/corpus

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
