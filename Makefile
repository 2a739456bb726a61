# goC — see README.md. Run make as yourself: building (go build, go test -c,
# vet, lint) runs as you; what needs root (apt, running goC, the test
# binaries, the compat and CRI runners) runs through vm/asroot — as it is
# when you are root, else through sudo, keeping your PATH (your Go).

SHELL      := /bin/bash
STAGES     := 1 2 3 4 5
NEWEST     := $(lastword $(STAGES))
GO         ?= go
GOFLAGS    += -buildvcs=false
export CGO_ENABLED := 0
LDFLAGS    := -s -w
BIN        := $(CURDIR)/bin
BUILD      := $(CURDIR)/build
ROOTFS     := $(BUILD)/rootfs
VM         ?= qemu
# Which stage binaries the e2e suite tests (each against stages 1…N).
E2E_STAGES ?= $(STAGES)
ASROOT     := $(CURDIR)/vm/asroot
SUDO       := $(if $(filter 0,$(shell id -u)),,sudo)
# A user's PATH on Debian lacks the sbin directories (runc, ip, iptables).
export PATH := $(PATH):/usr/local/sbin:/usr/sbin:/sbin
# make run as root through sudo (sudo make, or a docs block the docs test
# runs as root) gives what it built back to the user who called sudo.
giveback = $(if $(SUDO_UID),chown -hR $(SUDO_UID):$(SUDO_GID) $(1))

.PHONY: all $(addprefix stage,$(STAGES)) stages rootfs demo test unit e2e e2e-host lint bench bench-vm clean test-compat bench-compat test-oci test-cri test-asuser pictures pictures-check fuzz fuzz-short soak bench-pull bench-mem bench-scale bench-load

all: stages

# make stageN: build stage N into bin/stageN/ and point ./bin/goC at it (and,
# for stage 5, ./bin/goCd and ./bin/goC-cli; links of programs the stage
# lacks are removed). make stages: every stage, the links at the newest.
PROGRAMS := goC goCd goC-cli
link = @for p in $(PROGRAMS); do \
		if [ -e $(BIN)/stage$(1)/$$p ]; then ln -sfn stage$(1)/$$p $(BIN)/$$p; else rm -f $(BIN)/$$p; fi; \
	done; echo "bin/goC -> stage$(1)/goC"

# build = go build stage $(1)'s programs, then install(1) them into
# bin/stage$(1)/. The linker writes its output through mmap, and the page
# cache keeps such a file in a form each exec maps and unmaps more slowly
# than a file written by write(2) (as install, cp, a package manager write)
# or read back from disk: measured on kernel 6.18 and ext4, each goC process
# from a freshly linked file took about 0.4 ms (9%) more than from a copy of
# it. bin/ holds copies, as an installed goC would be, so that make bench
# compares goC and an installed runc alike.
build = tmp=$$(mktemp -d) && (cd stage$(1) && $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$tmp/ ./cmd/...) && \
	mkdir -p $(BIN)/stage$(1) && install -m 0755 $$tmp/* $(BIN)/stage$(1)/; status=$$?; rm -rf $$tmp; exit $$status

$(addprefix stage,$(STAGES)): stage%:
	@$(call build,$*)
	$(call link,$*)
	$(call giveback,$(BIN))

stages:
	@for s in $(STAGES); do ($(call build,$$s)) || exit 1; done
	$(call link,$(NEWEST))
	$(call giveback,$(BIN))

# The busybox root filesystem every demo and scenario uses (built as you:
# no step needs root).
rootfs: $(ROOTFS)/bin/busybox
$(ROOTFS)/bin/busybox: vm/rootfs.sh
	@vm/deps.sh busybox-static
	vm/rootfs.sh $(ROOTFS)
	$(call giveback,$(BUILD))

demo: stage$(NEWEST) rootfs
	@echo '$$ $(if $(SUDO),sudo )./bin/goC run --hostname demo --memory 64m --pids 32 build/rootfs sh -c "…"'
	@$(SUDO) $(BIN)/goC run --hostname demo --memory 64m --pids 32 $(ROOTFS) sh -c 'echo "I am PID $$$$ on $$(hostname), in cgroup $$(cut -d: -f3 /proc/self/cgroup | sort -u | grep goC)"; echo "processes I can see:"; ps; echo "my root:"; ls /'

# golangci-lint at a pinned version, built from the Go module proxy into
# build/tools once (.golangci.yml lists the linters: runc's set).
GOLANGCI_VERSION := v2.15.0
GOLANGCI         := $(BUILD)/tools/golangci-lint-$(GOLANGCI_VERSION)
$(GOLANGCI):
	mkdir -p $(BUILD)/tools
	GOBIN=$(BUILD)/tools $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv $(BUILD)/tools/golangci-lint $@

# (--allow-serial-runners: a second golangci-lint on the machine, say in
# another checkout, is waited for rather than an error.)
lint: $(GOLANGCI) pictures-check
	@out=$$(gofmt -l shared e2e $(addprefix stage,$(STAGES))); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet goc.dev/shared/... goc.dev/e2e/... $(foreach s,$(STAGES),goc.dev/stage$(s)/...)
	$(GOLANGCI) run --allow-serial-runners ./shared/... ./e2e/... $(foreach s,$(STAGES),./stage$(s)/...)
	cd e2e/oci && GOWORK=off $(GO) vet ./... && GOWORK=off $(GOLANGCI) run --allow-serial-runners --config ../../.golangci.yml ./...

# pictures: each docs/pictures/NAME.dot drawn as NAME.svg beside it, by
# Graphviz compiled to WebAssembly (github.com/goccy/go-graphviz, pinned in
# docs/pictures/render/go.mod, a module of its own outside go.work): no cgo,
# no system package, the same bytes on every machine. pictures-check (part
# of lint) draws them again into a temporary directory and names every
# committed SVG that differs from its source's drawing, or has no source.
PICTURES := cd docs/pictures/render && export GOWORK=off TMPDIR=$(BUILD)/pictures &&
pictures:
	mkdir -p $(BUILD)/pictures
	$(PICTURES) $(GO) run . -o .. ../*.dot

pictures-check:
	@mkdir -p $(BUILD)/pictures; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	out=$$(gofmt -l docs/pictures/render); if [ -n "$$out" ]; then echo "not gofmt-clean: $$out"; exit 1; fi; \
	($(PICTURES) $(GO) vet . && $(GO) run . -o "$$t" ../*.dot) || exit 1; bad=0; \
	for src in docs/pictures/*.dot; do svg=$${src%.dot}.svg; \
		cmp -s "$$t/$$(basename $$svg)" $$svg || { echo "$$svg: not what $$src draws (make pictures)"; bad=1; }; done; \
	for svg in docs/pictures/*.svg; do \
		[ -f $${svg%.svg}.dot ] || { echo "$$svg: no source $${svg%.svg}.dot"; bad=1; }; done; \
	exit $$bad

unit:
	$(GO) test -exec $(ASROOT) -count=1 goc.dev/shared/... $(foreach s,$(STAGES),goc.dev/stage$(s)/...)
	cd e2e && $(GO) test -count=1 -run 'TestDocs|TestLayout' .

# fuzz: every Go fuzz target (func FuzzXxx in a _test.go of shared or a
# stage) for FUZZTIME each, one at a time, -parallel 1, as you (no root);
# a crash fails naming the target and its saved input (docs/e2e.md). make
# test runs it with FUZZTIME=3s (fuzz-short).
FUZZTIME ?= 60s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) e2e/fuzz/run.sh
fuzz-short:
	GO=$(GO) FUZZTIME=3s e2e/fuzz/run.sh

# e2e: the scenarios inside the VM, once per cgroup mode: built as you, QEMU
# runs as you (KVM when you may open /dev/kvm). VM=lima (macOS): only
# vm/lima.sh, which runs make test inside a Lima Linux VM (nothing is built
# on the Mac).
ifeq ($(VM),lima)
e2e:
	vm/lima.sh
else
e2e: stages rootfs
	@vm/deps.sh qemu-system-x86 cpio kmod runc
	E2E_STAGES='$(E2E_STAGES)' E2E_HOST_MODE='$(E2E_HOST_MODE)' vm/e2e.sh $(VM)
endif

# e2e-host: the scenarios on this machine's own kernel and cgroups, then the
# chapters' command blocks as written (TestDocBlocks, docs/e2e.md).
e2e-host: stages rootfs
	@vm/deps.sh runc sudo docker-registry skopeo umoci
	cd e2e && GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) GOC_STAGES='$(E2E_STAGES)' GOC_REPO=$(CURDIR) $(GO) test -exec $(ASROOT) -count=1 -v -run 'TestScenarios|TestDocBlocks' . 2>&1 | $(CURDIR)/vm/summary.sh host

test: lint unit fuzz-short test-asuser e2e-host test-oci e2e test-compat test-cri

# make test runs every scenario and docs block on this machine's cgroup mode
# (e2e-host) before the VM: the VM's run of that same mode then runs only the
# scenarios that name cgroups (vm/e2e.sh), the other mode everything.
# (A hybrid host, v1 controllers and an empty cgroup2, counts as v1.)
test: E2E_HOST_MODE := $(shell [ -e /sys/fs/cgroup/cgroup.controllers ] && echo v2 || echo v1)

# test-asuser: the README's make demo, then make unit, as a new user with
# sudo whose Go is on their own PATH only (e2e/asuser/run.sh: a throwaway
# user, a clone of HEAD, all removed afterwards; about 1½ minutes). Needs
# root; as a user it runs through sudo.
test-asuser:
	$(ASROOT) e2e/asuser/run.sh

# test-oci: the OCI runtime-tools validation suite (the version e2e/oci/go.mod
# pins, built once under build/oci) against stage 4's goC, stage 5's and
# runc, side by side, on this machine; goC's results are checked against
# e2e/oci/expected/host.txt. OCI_UPDATE=1 rewrites that file from the run
# (keeping the causes); OCI_FLAGS passes more flags (-run REGEXP, -v).
# e2e/oci is a module of its own, outside go.work: the suite's old
# dependencies stay out of goC's modules.
# The harness and the suite are built as you; the harness runs as root.
OCI_RUNTIMES = -runtime goC4=$(BIN)/stage4/goC -runtime goC5=$(BIN)/stage5/goC -runtime runc=$$(command -v runc)
test-oci: stage4 stage5
	@vm/deps.sh runc
	cd e2e/oci && GOWORK=off $(GO) test -exec $(ASROOT) -count=1 . && GOWORK=off $(GO) build -o $(BUILD)/oci/harness . && \
		suite=$$(GOWORK=off $(GO) run . -prepare -cache $(BUILD)/oci) && \
		$(ASROOT) $(BUILD)/oci/harness -suite "$$suite" $(OCI_RUNTIMES) $(if $(OCI_UPDATE),-update) $(OCI_FLAGS)

# test-compat: containerd, Docker and Podman run their containers on stage 4's
# goC (e2e/testdata/compat; private daemons in their own network namespaces,
# everything undone afterwards); docker.txtar also holds stage 5's goC-cli
# run against docker run's confinement. On the host, not in the VM.
COMPAT_PKGS := containerd docker.io podman containernetworking-plugins iptables bsdutils
test-compat: stage4 stage5 rootfs
	@vm/deps.sh $(COMPAT_PKGS)
	cd e2e && GOC_COMPAT=1 GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) $(GO) test -exec $(ASROOT) -count=1 -v -run 'TestCompat(Docs)?$$' . 2>&1 | $(CURDIR)/vm/summary.sh compat

# test-cri: the Kubernetes CRI validation suite (critest from cri-tools
# $(CRITOOLS), built once under build/cri from the Go module proxy) against
# a private containerd 1.6 whose CRI runs every pod once on runc and once on
# stage 5's goC, both columns printed (e2e/cri/run.sh: offline images, its
# own registry, CNI bridge and namespaces, everything undone afterwards).
# Fails when goC does not pass a test runc passes, or when a test fails with
# no reason in e2e/cri/expected.txt. CRI_FLAGS passes critest flags
# (-ginkgo.focus REGEXP). crictl is built beside critest, to try by hand.
CRITOOLS := v1.37.0
CRI      := $(BUILD)/cri
CRI_PKGS := containerd containernetworking-plugins iptables runc docker-registry skopeo umoci jq curl util-linux
test-cri: stage5 $(CRI)/bin/critest $(CRI)/bin/standin $(CRI)/busybox.deb
	@vm/deps.sh $(CRI_PKGS)
	mkdir -p $(CRI)/out
	$(ASROOT) e2e/cri/run.sh $(BIN)/stage5/goC $(CRI)/bin/critest $(CRI)/bin/standin $(CRI)/busybox.deb $(CRI)/out $(CRI_FLAGS)

# critest will not build with go install: go test -c inside the module.
$(CRI)/bin/critest:
	mkdir -p $(CRI)/mod $(CRI)/bin
	cd $(CRI)/mod && { test -f go.mod || GOWORK=off $(GO) mod init goc.dev/critools; } && \
		dir=$$(GOWORK=off $(GO) mod download -json sigs.k8s.io/cri-tools@$(CRITOOLS) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && \
		cd $$dir && GOWORK=off $(GO) build -o $(CRI)/bin/crictl ./cmd/crictl && GOWORK=off $(GO) test -c -o $@ ./cmd/critest

# The stand-in for the pause, nginx, httpd and nonewprivs images.
$(CRI)/bin/standin: $(wildcard e2e/cri/standin/*.go)
	cd e2e && $(GO) build -o $@ ./cri/standin

# Debian's dynamic busybox, the busybox image's base.
$(CRI)/busybox.deb:
	mkdir -p $(CRI)/deb
	cd $(CRI)/deb && { apt-get download busybox 2>/dev/null || { $(ASROOT) apt-get update -qq && apt-get download busybox; }; } && mv busybox_*.deb $@

# bench: every figure of issue 16 beside its anchor, one part after the
# other: the host's start-time benchmarks (runc), then BENCH_PARTS (each also
# a target of its own): bench-vm (runc and crun, cgroup v2), bench-mem
# (conmon, containerd's shim), bench-scale (Podman), bench-load (goCd under
# load). About 25 minutes here; BENCH_PARTS= runs the host's part alone.
BENCH_PARTS ?= bench-vm bench-mem bench-scale bench-load
bench: stages rootfs
	@vm/deps.sh runc crun
	cd e2e && GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) $(GO) test -exec $(ASROOT) -count=1 -run '^$$' -bench . -benchtime 30x .
	$(foreach p,$(BENCH_PARTS),$(MAKE) --no-print-directory $(p) &&) true

# bench-vm: goC run true (every stage) and create -> start -> delete (the
# newest) against runc and crun on one bundle, BENCH_VM_N runs each,
# interleaved, in the VM with cgroup v2, where Debian's crun runs (it refuses
# a hybrid host); a table with goC's ratios to both (vm/bench.sh).
BENCH_VM_N ?= 10
bench-vm: stages rootfs
	@vm/deps.sh qemu-system-x86 cpio kmod runc crun
	vm/bench.sh $(BENCH_VM_N)

# soak: SOAK_N goC lifecycles (create, start, exec, kill, delete), SOAK_RUNS
# goC-cli run --rm --network bridge, and SOAK_KILLS kill -9 of goCd or a
# shim under a running load, counting mounts, cgroups, links, leases, state
# entries, goCd's RSS and fds before, every 100 cycles and after; fails
# naming what did not come back (e2e/soak/run.sh, docs/e2e.md). Not part of
# make test: about a quarter of an hour here at the defaults. As root, in a mount
# and network namespace of its own.
SOAK_N     ?= 1000
SOAK_RUNS  ?= 1000
SOAK_KILLS ?= 200
soak: stage$(NEWEST) rootfs
	$(ASROOT) env SOAK_N=$(SOAK_N) SOAK_RUNS=$(SOAK_RUNS) SOAK_KILLS=$(SOAK_KILLS) e2e/soak/run.sh $(BIN)/stage$(NEWEST) $(ROOTFS)

# bench-compat: docker run --rm busybox true with goC and with runc, side by
# side, through one private dockerd; exec CONTAINER true through goC, goC-cli,
# docker (runc and goC) and podman (goC), interleaved.
bench-compat: stage4 stage5 rootfs
	@vm/deps.sh $(COMPAT_PKGS)
	cd e2e && GOC_COMPAT=1 GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) $(GO) test -exec $(ASROOT) -count=1 -run '^$$' -bench 'BenchmarkDockerRun|BenchmarkExecCompat' -benchtime 20x .

# bench-pull: one multi-layer image pulled from Debian's docker-registry on
# loopback by goC-cli (a private goCd), goC image pull, skopeo copy, podman
# pull and docker pull (private roots), BENCH_PULL_N times each, interleaved,
# from an empty store each time; medians and ratios to skopeo
# (e2e/bench/pull.sh). Not part of make test.
BENCH_PULL_N ?= 5
bench-pull: stage4 stage5 rootfs
	@vm/deps.sh docker-registry skopeo umoci podman docker.io
	$(ASROOT) env GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) e2e/bench/pull.sh $(BENCH_PULL_N)

# bench-mem: the memory each running container costs its manager: BENCH_MEM_N
# busybox sleep containers through goC-cli (a private goCd; its shims,
# goC-shim once the container runs), podman (its conmon) and a private
# containerd (ctr run, containerd-shim-runc-v2); the PSS sum per container
# and goCd's own growth (e2e/bench/mem.sh). Not part of make test.
BENCH_MEM_N ?= 100
bench-mem: stage5 rootfs
	@vm/deps.sh podman containerd runc
	$(ASROOT) env GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) e2e/bench/mem.sh $(BENCH_MEM_N)

# bench-scale: BENCH_SCALE_N goC-cli run -d --network bridge busybox sleep
# containers through a private goCd, BENCH_SCALE_PAR at a time, then rm -f
# of each; the same with podman run -d (a private root, netavark): the time
# until all run, p50/p99 of a start and of a removal, failures, side by side
# with ratios; nothing may be left behind (the soak's counts). BENCH_SCALE_ROUNDS
# rounds, the order swapped every other one. In a mount and network namespace
# of its own (e2e/bench/scale.sh). Not part of make test.
BENCH_SCALE_N   ?= 200
BENCH_SCALE_PAR ?= 20
BENCH_SCALE_ROUNDS ?= 1
bench-scale: stage5 rootfs
	@vm/deps.sh podman netavark iptables runc jq
	$(ASROOT) env GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) BENCH_SCALE_N=$(BENCH_SCALE_N) BENCH_SCALE_PAR=$(BENCH_SCALE_PAR) BENCH_SCALE_ROUNDS=$(BENCH_SCALE_ROUNDS) e2e/bench/scale.sh

# bench-load: BENCH_LOAD_N API requests of mixed kinds from BENCH_LOAD_C
# concurrent clients (e2e/bench/load, built as you) against a private goCd
# while containers start and stop: p50/p99 per kind, goCd's RSS, fds and
# threads before, right after and after 10 s idle; nothing may be left
# behind (e2e/bench/load.sh). Not part of make test.
BENCH_LOAD_N ?= 1000
BENCH_LOAD_C ?= 32
bench-load: stage5 rootfs
	@vm/deps.sh jq
	cd e2e && $(GO) build -o $(BUILD)/bench/load ./bench/load
	$(ASROOT) env GOC_BIN=$(BIN) GOC_ROOTFS=$(ROOTFS) BENCH_LOAD_N=$(BENCH_LOAD_N) BENCH_LOAD_C=$(BENCH_LOAD_C) e2e/bench/load.sh $(BUILD)/bench/load

clean:
	rm -rf $(BIN) $(BUILD)
