# SPDX-License-Identifier: GPL-2.0
#
# sectun: route-based IPsec for Linux.
#
#   make            the module (kmod/sectun.ko) and the tools (build/)
#   make deps       install every Debian package the project needs
#   make check      everything: static checks, host unit tests, and the
#                   selftests in a QEMU guest (T=name runs one selftest)
#   make demo       two sites talking through st0, in a QEMU guest
#   make vm-shell   an interactive guest with the module and tools
#   make check-debug  the selftests on a debug kernel (KASAN, lockdep, kmemleak)
#   make install    module, tools, man pages, completion and systemd units
#   make dkms-install   the module's source under DKMS (rebuilt for every kernel)
#   make deb        Debian packages sectun and sectun-dkms in build/deb/

KVER ?= $(shell ls /lib/modules 2>/dev/null | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sectun
BUILD := build
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= /lib/systemd/system
# One version for the packages and DKMS: debian/changelog's.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
# What DKMS needs to build the module: the Kbuild files, sources, uapi headers.
DKMS_FILES = Kbuild $(filter-out %.mod.c,$(wildcard kmod/Kbuild kmod/*.c kmod/*.h include/uapi/linux/*.h))

export KVER SECTUN_CACHE := $(CACHE)

# Every Debian package the build, the tests and the demo use.
DEPS_PACKAGES := build-essential pkg-config linux-headers-amd64 linux-image-amd64 \
	linux-source-6.1 sparse flex bison bc libelf-dev libssl-dev openssl dwarves rsync \
	libnl-3-dev libnl-genl-3-dev libconfig-dev libcmocka-dev clang libclang-rt-14-dev \
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd file \
	iproute2 iputils-ping iperf3 tcpdump python3 python3-scapy python3-cryptography \
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins \
	iptables nftables conntrack libcap2-bin util-linux procps socat ethtool \
	dkms dh-dkms debhelper lintian bash-completion adduser \
	libcap-ng0 libcurl3-nss libevent-core-2.1-7 libevent-pthreads-2.1-7 libldap-2.5-0 \
	libldns3 libnspr4 libnss3 libnss3-tools libunbound8 libaudit1 libpam0g
# And what only "make bench" adds (make bench-deps).
BENCH_PACKAGES := linux-perf

SHELL := /bin/bash
CC ?= cc
CFLAGS ?= -O2 -g
WFLAGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes
# Deferred (=): on a fresh machine these exist only after "make deps".
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
TOOLS_CPPFLAGS := -Iinclude/uapi -Itools/lib -Itools/iked -D_GNU_SOURCE $(NL_CFLAGS)

LIB_SRCS := $(wildcard tools/lib/*.c)
CLI_SRCS := $(wildcard tools/sectun/*.c)
# The daemon: everything but main() and the fuzz targets goes in a library
# the unit tests and fuzzers link against (glue at the top, the exchange
# engine, IKEv2, IKEv1, crypto and PKI in their folders).
IKED_DIRS := tools/iked tools/iked/engine tools/iked/ikev2 tools/iked/ikev1 tools/iked/crypto \
	tools/iked/pki
IKED_SRCS := $(filter-out tools/iked/main.c,$(foreach d,$(IKED_DIRS),$(wildcard $(d)/*.c)))
CONF_LIBS = $(shell pkg-config --libs libconfig 2>/dev/null)
IKED_LIBS = -lcrypto $(CONF_LIBS)
FUZZ_SRCS := $(wildcard tools/iked/fuzz/*.c)
FUZZ_TARGETS ?= $(FUZZ_SRCS:tools/iked/fuzz/%.c=%)
FUZZ_SECS ?= 60
TEST_SRCS := $(wildcard tools/tests/test_*.c)
UNIT_TESTS := $(TEST_SRCS:tools/tests/%.c=$(BUILD)/tests/%) \
	$(TEST_SRCS:tools/tests/%.c=$(BUILD)/asan/tests/%)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.SECONDARY:

.PHONY: all module tools unit-tests libreswan test-keys deps bench-deps bench soak check check-static check-unit check-vm \
	check-debug demo vm-shell install install-tools install-dkms-source dkms-install \
	deb clean fuzz

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools: $(BUILD)/sectun $(if $(wildcard tools/iked/main.c),$(BUILD)/sectun-iked)

unit-tests: $(UNIT_TESTS) $(if $(wildcard tools/iked/main.c),$(BUILD)/asan/sectun-iked)

HEADERS := $(wildcard include/uapi/linux/*.h tools/lib/*.h tools/*/*.h tools/iked/*/*.h)

# Userspace: one object per source, normal and sanitized builds side by side.
$(BUILD)/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(WFLAGS) $(TOOLS_CPPFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WFLAGS) $(TOOLS_CPPFLAGS) -c -o $@ $<

$(BUILD)/libsectun.a: $(LIB_SRCS:%.c=$(BUILD)/%.o)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/asan/libsectun.a: $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/libiked.a: $(IKED_SRCS:%.c=$(BUILD)/%.o)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/asan/libiked.a: $(IKED_SRCS:%.c=$(BUILD)/asan/%.o)
	rm -f $@ && $(AR) rcs $@ $^

# The replay window is kernel code, tested in userspace over a small shim.
REPLAY_TEST_FLAGS := -Itools/tests/kshim -Iinclude
$(BUILD)/tests/test_replay: tools/tests/test_replay.c kmod/replay.c kmod/replay.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WFLAGS) $(REPLAY_TEST_FLAGS) -o $@ tools/tests/test_replay.c kmod/replay.c -lcmocka

$(BUILD)/asan/tests/test_replay: tools/tests/test_replay.c kmod/replay.c kmod/replay.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(WFLAGS) $(REPLAY_TEST_FLAGS) -o $@ tools/tests/test_replay.c kmod/replay.c -lcmocka

# The engine's state-machine tests run two engines through one harness.
$(BUILD)/tests/test_engine $(BUILD)/tests/test_ike_fragment $(BUILD)/tests/test_ikev1: $(BUILD)/tools/tests/engine_pair.o
$(BUILD)/asan/tests/test_engine $(BUILD)/asan/tests/test_ike_fragment $(BUILD)/asan/tests/test_ikev1: \
	$(BUILD)/asan/tools/tests/engine_pair.o

$(BUILD)/tests/%: $(BUILD)/tools/tests/%.o $(BUILD)/libiked.a $(BUILD)/libsectun.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) -lcmocka $(IKED_LIBS) $(NL_LIBS)

$(BUILD)/asan/tests/%: $(BUILD)/asan/tools/tests/%.o $(BUILD)/asan/libiked.a $(BUILD)/asan/libsectun.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) -lcmocka \
		$(IKED_LIBS) $(NL_LIBS)

$(BUILD)/sectun: $(CLI_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libsectun.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CONF_LIBS)

$(BUILD)/sectun-iked: $(BUILD)/tools/iked/main.o $(BUILD)/libiked.a $(BUILD)/libsectun.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(IKED_LIBS) $(NL_LIBS)

# The daemon under ASan/UBSan, for the loopback exchange tests.
$(BUILD)/asan/sectun-iked: $(BUILD)/asan/tools/iked/main.o $(BUILD)/asan/libiked.a $(BUILD)/asan/libsectun.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(IKED_LIBS) $(NL_LIBS)

# libFuzzer targets (clang): each runs FUZZ_SECS seconds on its own corpus.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# A fuzz target links only the layer it exercises (the codec is pure).
FUZZ_LAYER_SRCS := tools/iked/ikev2/codec.c tools/iked/ikev2/describe.c tools/iked/lines.c \
	tools/iked/ikev1/codec.c tools/iked/ikev1/describe.c
$(BUILD)/fuzz/%: tools/iked/fuzz/%.c $(FUZZ_LAYER_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(WFLAGS) $(TOOLS_CPPFLAGS) -o $@ $< $(FUZZ_LAYER_SRCS)

# The engine target runs the whole daemon library, two engines through the
# test harness, no kernel.
FUZZ_ENGINE_SRCS := $(IKED_SRCS) $(LIB_SRCS) tools/tests/engine_pair.c
$(BUILD)/fuzz/engine $(BUILD)/fuzz/ikev1: $(BUILD)/fuzz/%: tools/iked/fuzz/%.c $(FUZZ_ENGINE_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(WFLAGS) $(TOOLS_CPPFLAGS) -Itools/tests -o $@ $< $(FUZZ_ENGINE_SRCS) \
		$(IKED_LIBS) $(NL_LIBS)

fuzz: deps
	@$(MAKE) -s --no-print-directory $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	@for f in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		echo "fuzz: $$f for $(FUZZ_SECS) s"; \
		$(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECS) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus-$$f $$(test -d tools/iked/fuzz/corpus-$$f && echo tools/iked/fuzz/corpus-$$f) 2>&1 | \
			grep -E '^(stat::number_of_executed_units|Done|==[0-9]+==ERROR|SUMMARY)' ; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

# RSA keys for the selftests' certificates (lib_ike.sh's pki_key), made
# here: in the guest, under TCG, a 4096-bit one takes up to a minute.
TEST_KEYS := $(foreach b,2048 4096,$(foreach i,1 2 3 4,$(BUILD)/test-keys/rsa$(b)-$(i).pem))
test-keys: $(TEST_KEYS)
$(BUILD)/test-keys/rsa%.pem:
	@mkdir -p $(@D)
	@openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$(firstword $(subst -, ,$*)) \
		-out $@.tmp 2> /dev/null && mv $@.tmp $@

# libreswan's pluto, the selftests' second IKE peer. Its package conflicts
# with strongSwan's, so it is unpacked under build/ rather than installed
# (the libraries it needs are in DEPS_PACKAGES); the .deb stays in the
# cache. Without a package source it is missing and ike_libreswan.sh skips.
LIBRESWAN := $(BUILD)/libreswan/usr/libexec/ipsec/pluto
libreswan: $(LIBRESWAN)
$(LIBRESWAN):
	@mkdir -p $(CACHE)/debs
	@cd $(CACHE)/debs && { ls libreswan_*.deb > /dev/null 2>&1 || \
		apt-get download -qq libreswan > /dev/null 2>&1 || \
		{ sudo= ; [ "$$(id -u)" = 0 ] || sudo=sudo; $$sudo apt-get update -qq && \
		  apt-get download -qq libreswan > /dev/null 2>&1; } || \
		echo "make libreswan: no libreswan package to download: ike_libreswan.sh will skip"; }
	@deb=$$(ls -t $(CACHE)/debs/libreswan_*.deb 2>/dev/null | head -n 1); \
	if [ -n "$$deb" ]; then \
		rm -rf $(BUILD)/libreswan && dpkg-deb -x "$$deb" $(BUILD)/libreswan && touch $@; \
	fi

# $(call apt_install,TARGET,PACKAGES): apt-get install what is missing
# of PACKAGES (idempotent: nothing runs when all are there).
define apt_install
	@missing=$$(for p in $(2); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "make $(1): installing" $$missing; \
		sudo= ; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,deps,$(DEPS_PACKAGES))

# What only "make bench" uses, installed the same way: perf for its
# profile part (the guest runs the host's /usr/bin/perf).
bench-deps:
	$(call apt_install,bench-deps,$(BENCH_PACKAGES))

# The suite: static checks and unit tests on the host, selftests in the VM.
# One TAP stream, one closing "N passed, N failed, N skipped" line.
# The build runs in a new make after "deps", so that what deps installed
# (headers, libraries, pkg-config files) is seen.
check: deps
	@$(MAKE) -j$$(nproc) -s --no-print-directory all unit-tests libreswan test-keys
	@selftests/check.sh $(if $(T),--only $(T))

check-debug: deps
	@$(MAKE) -j$$(nproc) -s --no-print-directory all unit-tests libreswan test-keys
	@selftests/check.sh --debug-kernel $(if $(T),--only $(T))

demo: deps
	@$(MAKE) -s --no-print-directory all
	@selftests/vm/run-vm.sh -o $(BUILD)/demo -t 600 demo.sh || true
	@cat $(BUILD)/demo/logs/demo.sh.log

# Figures, not pass/fail: st0 against an xfrm interface in the same VM.
# VCPUS: the guest's vCPUs (1, 2 or 4). BENCH_MEM: its memory, more than
# make check's 2G for the sas part's NSAS_BIG (1,000,000) SAs, each with
# its own crypto transform (the host has 24 GiB; unused guest memory
# costs the host nothing). The other knobs reach bench.sh through
# build/bench.env; the timeouts leave room for the cpus, profile and
# NSAS_BIG steps on top of the rest.
VCPUS ?= 2
BENCH_MEM ?= 8G
bench: deps
	@$(MAKE) -s --no-print-directory bench-deps
	@$(MAKE) -s --no-print-directory all $(BUILD)/bench/sa_flood $(BUILD)/bench/ike_load
	@printf '%s\n' $(foreach v,RUNS SECS NSAS NSAS_BIG NSEL PARTS VCPUS XFRM_CAP SA_CAP PROFILE_CALLERS,$(if $($(v)),"$(v)='$($(v))'")) > $(BUILD)/bench.env
	@selftests/vm/run-vm.sh -c $(VCPUS) -m $(BENCH_MEM) -o $(BUILD)/bench-run -t 4800 -T 5400 bench/bench.sh || true
	@cat $(BUILD)/bench-run/logs/bench_bench.sh.log 2>/dev/null || cat $(BUILD)/bench-run/logs/*.log

# The long run before resolving lifecycle work (not in "make check"):
# SOAK_MINUTES (30) of rekeying against strongSwan under a ping flood.
soak: deps
	@$(MAKE) -s --no-print-directory all
	@printf "SOAK_MINUTES='%s'\n" "$(or $(SOAK_MINUTES),30)" > $(BUILD)/soak.env
	@selftests/vm/run-vm.sh -o $(BUILD)/soak -t $$(( $(or $(SOAK_MINUTES),30) * 60 + 300 )) \
		-T $$(( $(or $(SOAK_MINUTES),30) * 60 + 600 )) ike_soak.sh || true
	@cat $(BUILD)/soak/logs/ike_soak.sh.log

$(BUILD)/bench/ike_load: $(BUILD)/selftests/bench/ike_load.o $(BUILD)/libiked.a $(BUILD)/libsectun.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(IKED_LIBS) $(NL_LIBS)

$(BUILD)/bench/sa_flood: $(BUILD)/selftests/bench/sa_flood.o $(BUILD)/libsectun.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(NL_LIBS)

vm-shell: all
	@selftests/vm/run-vm.sh -s -o $(BUILD)/vm-shell

install: all install-tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install INSTALL_MOD_PATH=$(DESTDIR)

# Everything but the module (the Debian package "sectun" is this).
install-tools: tools
	install -D -m 0755 $(BUILD)/sectun $(DESTDIR)$(PREFIX)/sbin/sectun
	install -D -m 0755 $(BUILD)/sectun-iked $(DESTDIR)$(PREFIX)/sbin/sectun-iked
	for m in Documentation/man/*.[58]; do \
		install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$$(basename $$m); \
	done
	install -D -m 0644 tools/completion/sectun \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/sectun
	for u in tools/systemd/*.service.in; do \
		mkdir -p $(DESTDIR)$(UNITDIR) && \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $$u > $(DESTDIR)$(UNITDIR)/$$(basename $${u%.in}) && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $${u%.in}) || exit 1; \
	done

# The module's source where DKMS looks for it, /usr/src/sectun-VERSION.
install-dkms-source:
	for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)/usr/src/sectun-$(VERSION)/$$f || exit 1; \
	done

dkms-install: install-dkms-source
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DESTDIR)/usr/src/sectun-$(VERSION)/dkms.conf
	dkms add -m sectun -v $(VERSION)
	dkms build -m sectun -v $(VERSION)
	dkms install -m sectun -v $(VERSION)

# Built with Debian's tools from a copy of the tree (dpkg-buildpackage
# writes its results beside the source, which must stay inside build/).
deb: deps
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/sectun-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 cp --parents -t $(BUILD)/deb/sectun-$(VERSION) 2>/dev/null || \
		tar --exclude=./build --exclude=.git -cf - . | tar -C $(BUILD)/deb/sectun-$(VERSION) -xf -
	cd $(BUILD)/deb/sectun-$(VERSION) && dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	ls $(BUILD)/deb/*.deb

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
