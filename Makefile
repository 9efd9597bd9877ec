# Lantian — build, run and test.
#   make run     build and start the desktop app on a demo county
#   make test    every test (installs what it needs first)
#   make server  start a local provincial sync server in ./server-data
#   make bench   the sync benchmark harness (not part of make test)
#   make verify-bench  lantian-server verify over a store of $(VOPS) ops on disk (not part of make test)
#   make load    1,000 devices syncing at once against the real server
#   make package Linux .tar.xz and Windows .exe

SHELL := /bin/bash
GO ?= go
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

DATA ?= $(HOME)/.local/share/lantian-demo
SERVER_DATA ?= $(CURDIR)/server-data
LISTEN ?= 127.0.0.1:8443
N ?= 100000
DEVICES ?= 1000
VOPS ?= 1000000
FUZZTIME ?= 20000x

# Every package but the Fyne UI runs under the race detector.
CORE_PKGS = $(shell $(GO) list ./... | grep -v -e '/app$$' -e '/app/' -e 'lantian$$')
UI_PKGS = $(shell $(GO) list ./app/... 2>/dev/null) .

.PHONY: run test vet test-core test-ui fuzz smoke server bench verify-bench load package deps-build deps-test deps-package lantian lantian-server clean

deps-build:
	@packaging/scripts/deps.sh build
deps-test:
	@packaging/scripts/deps.sh test
deps-package:
	@packaging/scripts/deps.sh package

lantian: deps-build
	$(GO) build -o bin/lantian .

lantian-server:
	CGO_ENABLED=0 $(GO) build -o bin/lantian-server ./sync/cmd/lantian-server

run: lantian
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "make run: no display here (DISPLAY is not set). Run the app under a virtual display:"; \
		echo "  apt-get install xvfb && xvfb-run -a -s '-screen 0 1280x800x24' bin/lantian --demo --data $(DATA)"; \
		exit 1; \
	fi
	bin/lantian --demo --data $(DATA)

test: deps-test vet test-core test-ui fuzz smoke
	@echo "make test: all tests passed"

vet:
	$(GO) vet ./...

test-core:
	@packaging/scripts/with-postgres.sh $(GO) test -race -count=1 -timeout 20m $(CORE_PKGS)

test-ui:
	XDG_CACHE_HOME=$$(mktemp -d) $(GO) test -count=1 -timeout 15m $(UI_PKGS)

fuzz:
	@packaging/scripts/fuzz.sh $(FUZZTIME)

smoke: lantian
	@packaging/smoke.sh bin/lantian

server: lantian-server
	@mkdir -p $(SERVER_DATA)
	@echo "Issue a first enrollment code (in another shell):"
	@echo "  bin/lantian-server code --data $(SERVER_DATA) --county 130126 --role grid"
	bin/lantian-server --data $(SERVER_DATA) --listen $(LISTEN)

bench:
	@packaging/scripts/bench.sh $(N)

verify-bench:
	@packaging/scripts/verify-bench.sh $(VOPS)

load: lantian-server
	CGO_ENABLED=0 $(GO) build -o bin/lantian-bench ./bench/cmd/lantian-bench
	bin/lantian-bench load --server bin/lantian-server --devices $(DEVICES)

package: deps-package
	@packaging/scripts/package.sh

clean:
	rm -rf bin dist
