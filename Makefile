# Makefile - builds libhealthcal.a, the healthcal binary, tests, demo.
#
#   make                          build
#   make check                    all quick tests (unit, end-to-end, reference)
#   make SANITIZE=address,undefined check
#   make valgrind                 unit and end-to-end tests under valgrind
#   make demo                     the quarterly report on datasets/sample
#   make fuzz FUZZ_SECONDS=60     libFuzzer targets (clang)
#   make install PREFIX=/usr/local DESTDIR=   binary, libhealthcal.a, headers, healthcal.pc,
#                                 man pages, bash and zsh completion
#   make docs                     the man pages and completion only, under $(BUILD)/docs

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include/healthcal

CC ?= cc
OPT ?= -O2
WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wwrite-strings -Wvla -Wmissing-prototypes
PKGS = gsl jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
# libcsv ships no .pc file.
CSV_LIBS = -lcsv

ifdef SANITIZE
BUILD ?= build/sanitize
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS =
endif

CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS += $(WARN) $(OPT) -g $(PKG_CFLAGS) $(SAN_FLAGS) -pthread
LDLIBS += $(PKG_LIBS) $(CSV_LIBS) -lm -pthread
LDFLAGS += $(SAN_FLAGS)

# The library's layers, in the order in which they may use each other: a
# file includes public headers of its own layer and the layers before it,
# and private headers of its own folder only (scripts/check-layers.sh).
LAYERS := io data stats model workflow output
LIB_SRC := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
HEADERS := $(wildcard include/*.h src/*/*.h)
LIB := $(BUILD)/libhealthcal.a
BIN := $(BUILD)/healthcal

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
E2E := $(filter-out tests/e2e/lib.sh,$(sort $(wildcard tests/e2e/*.sh)))
# Helper programs of the end-to-end tests (e.g. full-precision scores for
# the SQL export parity test), linked against the library.
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all deps test-deps check unit e2e valgrind demo install uninstall \
        clean fuzz symbols layers bench docs FORCE

all: $(BIN) healthcal

# A convenience link at the top level so that ./healthcal works.
healthcal: $(BIN)
	@ln -sf $(BIN) healthcal

# V=1 shows the full commands.
ifeq ($(V),1)
Q =
else
Q = @
endif

# A layer's private headers live beside its sources: each file sees its own
# folder's, no other's.
$(BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests:
	@mkdir -p $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test_util.h $(LIB) | $(BUILD)/tests
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(LIB) \
	    $(LDFLAGS) $(LDLIBS) $(CMOCKA_LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

deps:
	@sh scripts/install-deps.sh

test-deps:
	@sh scripts/install-deps.sh --test

# Runs every quick test tier. Dependencies are installed first, then the
# build is re-entered so that pkg-config sees the freshly installed libraries.
check: test-deps
	@$(MAKE) --no-print-directory unit e2e symbols layers

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
	    HC_SHARED_DATASETS=$${HC_SHARED_DATASETS:-../shared/datasets} \
	    $(HC_RUNNER) $$t >$$t.log 2>&1 || { fail=1; cat $$t.log; echo "FAIL: $$t"; }; \
	    grep -h "PASSED\|FAILED\|SKIPPED" $$t.log | sed "s|^|$$(basename $$t): |" | grep -v "^$$" | head -3; \
	done; exit $$fail

e2e: $(BIN) $(TOOL_BIN)
	@fail=0; for t in $(E2E); do \
	    HEALTHCAL="$(HC_RUNNER) $(CURDIR)/$(BIN)" HC_BIN=$(CURDIR)/$(BIN) \
	    HC_TOOLS=$(CURDIR)/$(BUILD)/tools \
	    HC_SHARED_DATASETS=$${HC_SHARED_DATASETS:-$(CURDIR)/../shared/datasets} \
	    sh $$t >$(BUILD)/$$(basename $$t).log 2>&1 \
	      && echo "e2e ok: $$t" \
	      || { fail=1; cat $(BUILD)/$$(basename $$t).log; echo "e2e FAIL: $$t"; }; \
	done; exit $$fail

VALGRIND = valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet
valgrind: test-deps
	@$(MAKE) --no-print-directory OPT=-O1 BUILD=build/valgrind HC_RUNNER="$(VALGRIND)" unit e2e

# Every exported symbol must carry the hc_ prefix (GSL's rule). Under
# AddressSanitizer each global also gets an __odr_asan.<name> indicator.
symbols: $(LIB)
	@bad=$$(nm -g --defined-only $(LIB) | awk 'NF==3 {print $$3}' \
	    | sed 's/^__odr_asan[.]//' | grep -v '^hc_' || true); \
	if [ -n "$$bad" ]; then echo "exported symbols without hc_ prefix:"; echo "$$bad"; exit 1; fi; \
	echo "symbols ok: every exported symbol starts with hc_"

# Every include goes to its own layer or an earlier one (src/README.md).
layers:
	@sh scripts/check-layers.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

bench: all
	@sh scripts/bench.sh

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz: test-deps
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# pkg-config file of the installed static library: its own flags, and
# those of the libraries it links (gsl and jansson by their .pc files;
# libcsv has none).
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
HC_VERSION := $(shell sed -n 's/^\#define HC_VERSION "\(.*\)"/\1/p' src/cli/cli.h)
# Rewritten on every install: PREFIX may differ from the last one.
$(BUILD)/healthcal.pc: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	    'Name: healthcal' \
	    'Description: calibrate customer health scores against churn (static library)' \
	    'Version: $(HC_VERSION)' 'Requires: $(PKGS)' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lhealthcal $(CSV_LIBS) -lm -pthread' >$@

# Man pages and bash/zsh completion, generated from the binary's --help
# (the same cli_option tables), so they never disagree with it.
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DOCS := $(BUILD)/docs/man1/healthcal.1
$(DOCS): $(BIN) scripts/gen-docs.sh
	@$(if $(Q),echo "  DOCS    $(BUILD)/docs")
	$(Q)rm -rf $(BUILD)/docs && sh scripts/gen-docs.sh $(BIN) $(BUILD)/docs

docs: $(DOCS)

# Not `all`: installing does not touch the ./healthcal link of the tree.
install: $(BIN) $(LIB) $(BUILD)/healthcal.pc $(DOCS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/healthcal
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libhealthcal.a
	install -m 644 include/*.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(BUILD)/healthcal.pc $(DESTDIR)$(PKGCONFIGDIR)/healthcal.pc
	install -m 644 $(BUILD)/docs/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(BUILD)/docs/completion/healthcal.bash $(DESTDIR)$(BASHCOMPDIR)/healthcal
	install -m 644 $(BUILD)/docs/completion/_healthcal $(DESTDIR)$(ZSHCOMPDIR)/_healthcal

FORCE:

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/healthcal $(DESTDIR)$(LIBDIR)/libhealthcal.a
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/healthcal.pc
	rm -f $(DESTDIR)$(MANDIR)/man1/healthcal.1 $(DESTDIR)$(MANDIR)/man1/healthcal-*.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/healthcal $(DESTDIR)$(ZSHCOMPDIR)/_healthcal
	rm -rf $(DESTDIR)$(INCLUDEDIR)

clean:
	rm -rf build healthcal
