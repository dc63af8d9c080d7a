# Bingzhan — one entry point. `make run` and `make test` set up what they need first
# (Debian packages, the pinned Wails CLI, npm packages), so both work on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
GOBIN    := $(shell $(GO) env GOPATH)/bin
WAILS_VERSION := v2.11.0
WAILS    := $(GOBIN)/wails
TAGS     := webkit2_41
BIN      := build/bin/bingzhan
RUN_DATA ?= $(CURDIR)/.run-data
ARTIFACTS := $(CURDIR)/test-artifacts
# The version of every binary and package: VERSION's major.minor, then the number of
# commits, so each build of main is newer than the one before (Debian and Windows
# both order it). `make package VERSION=0.9.1` makes a given one.
VERSION  ?= $(shell cat VERSION).$(shell git rev-list --count HEAD 2>/dev/null || echo 0)
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Worked out once and handed to the sub-makes, so one `make package` has one version.
VERSION  := $(VERSION)
COMMIT   := $(COMMIT)
export VERSION COMMIT
LDFLAGS  := -X main.Version=$(VERSION) -X main.Commit=$(COMMIT)
# gstreamer1.0-plugins-base and -good: the window's voice (Ogg Vorbis through WebKitGTK's
# GStreamer), which the smoke test plays; libwebkit2gtk-4.1-0 depends on them today.
APT_PACKAGES := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config gcc xvfb xauth x11-utils iproute2 libnss3-tools \
	imagemagick chromium fonts-noto-cjk xdotool postgresql gstreamer1.0-plugins-base gstreamer1.0-plugins-good
GO_PKGS = $$($(GO) list ./... | grep -v /node_modules/)
FRONTEND_SRC := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts frontend/package.json docs/openapi/station.yaml -type f 2>/dev/null)

.PHONY: help setup run build test test-go test-e2e test-layouts test-smoke test-crash bench lint fuzz clean package test-package

help:
	@echo "make run    build and open the kiosk (demo data in $(RUN_DATA); no display: served on 127.0.0.1:8080)"
	@echo "make test   every test: Go, fuzz seeds, crash, browser (Chromium) and desktop window (Xvfb)"
	@echo "make test-layouts  every kiosk screen at every size and text size, in Chinese, English and Mongolian (slow; CI runs it)"
	@echo "make bench  latency and start-up figures"
	@echo "make lint   gofmt, go vet, staticcheck, vue-tsc"
	@echo "make build  the station binary $(BIN) and the county server $(COUNTY_BIN)"
	@echo "make package       Debian packages and Windows installer for stations and counties, in build/dist"
	@echo "make test-package  build the packages, install, upgrade and remove them, run them (arm64 under qemu, Windows under wine)"

## ---- set-up (idempotent) ----

setup: .tools/apt.stamp .tools/wails-$(WAILS_VERSION).stamp frontend/node_modules/.stamp

# Installs only what is missing; a fresh machine needs `apt-get update` first.
.tools/apt.stamp: Makefile
	@mkdir -p .tools
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

# The CLI is pinned: @latest needs a newer Go than this project's.
.tools/wails-$(WAILS_VERSION).stamp:
	@mkdir -p .tools
	$(GO) install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VERSION)
	@touch $@

frontend/node_modules/.stamp: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend/dist/index.html: frontend/node_modules/.stamp $(FRONTEND_SRC) | .tools/apt.stamp
	cd frontend && npm run build
	@touch $@

## ---- build and run ----

GO_FILES := $(shell find . -name '*.go' -not -path './frontend/*' -not -path './.tools/*' -not -name '*_test.go')
$(BIN): frontend/dist/index.html $(GO_FILES) go.mod go.sum | .tools/apt.stamp .tools/wails-$(WAILS_VERSION).stamp
	$(WAILS) build -s -skipbindings -m -ldflags "$(LDFLAGS)"
	@touch $(BIN)

COUNTY_BIN := build/bin/bingzhan-county
$(COUNTY_BIN): $(GO_FILES) go.mod go.sum
	$(GO) build -ldflags "$(LDFLAGS)" -o $@ ./cmd/bingzhan-county

build: $(BIN) $(COUNTY_BIN)

run: $(BIN)
	$(BIN) --data $(RUN_DATA) --demo $(ARGS)

## ---- packages (packaging/*.mk) ----

PKG  := build/package
DIST := build/dist
include packaging/linux.mk packaging/windows.mk

# What packaging needs beyond `make test` (each packaging/*.mk adds to PACKAGE_APT).
.tools/apt-package.stamp: Makefile $(wildcard packaging/*.mk)
	@mkdir -p .tools
	@missing=$$(for p in $(PACKAGE_APT); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages for packaging: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

# Every artefact of this VERSION, and nothing from an earlier one.
package: setup frontend/dist/index.html .tools/apt-package.stamp
	rm -rf $(DIST)
	$(MAKE) package-linux package-windows
	cd $(DIST) && sha256sum * > SHA256SUMS
	@echo "packages of $(VERSION) in $(DIST):"; ls -l $(DIST)

test-package: package
	$(GO) test -tags package -count=1 -v -timeout 40m ./packaging

## ---- tests ----

test: setup frontend/dist/index.html
	$(MAKE) test-go
	$(MAKE) $(BIN)
	$(MAKE) test-crash test-e2e test-smoke
	@echo "all tests passed; screenshots in $(ARTIFACTS)/screenshots"

# The station PC is often Windows: every package, its tests too, must build there.
test-go: frontend/dist/index.html
	$(GO) vet $(GO_PKGS)
	GOOS=windows $(GO) vet $(GO_PKGS)
	$(GO) test -race -count=1 $(GO_PKGS)

test-crash: $(BIN)
	BINGZHAN_BIN=$(CURDIR)/$(BIN) $(GO) test -tags crash -count=1 -run TestCrash -v .
	$(GO) test -tags synccrash -count=1 -run TestCrash -v ./sync/agent

test-e2e: $(BIN)
	cd frontend && BINGZHAN_BIN=$(CURDIR)/$(BIN) SCREENSHOT_DIR=$(ARTIFACTS)/screenshots npm run test:e2e

# Every kiosk screen at the four sizes, normal and 大字, in each language: about seven
# minutes, so CI runs it after make test, not inside it (test-e2e skips the tour).
LAYOUT_LANGS ?= zh-CN en mn-Mong
test-layouts: $(BIN)
	cd frontend && BINGZHAN_BIN=$(CURDIR)/$(BIN) SCREENSHOT_DIR=$(ARTIFACTS)/screenshots LAYOUT_LANGS="$(LAYOUT_LANGS)" \
		node --test --test-concurrency=1 e2e/kiosk-layout.test.mjs

test-smoke: $(BIN)
	BINGZHAN_BIN=$(CURDIR)/$(BIN) SCREENSHOT_DIR=$(ARTIFACTS)/screenshots $(GO) test -tags smoke -count=1 -run TestSmoke -v .

# Each fuzz target for a while (one at a time: go test -fuzz takes one target). New
# crashers land in the package's testdata/fuzz and are committed, so plain `go test`
# replays them for good. Go 1.26's fuzz coordinator can fail a target with a bare
# "context deadline exceeded" as -fuzztime runs out (golang/go#75804, fixed in 1.27):
# that counts as a failure only when it wrote a crasher.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./backend:FuzzVerifyProof ./backend:FuzzValidateIDNumber ./backend:FuzzParseCatalog \
	./backend/http:FuzzDecodeTicketRequest ./backend/http:FuzzDecodeEligibilityRequest \
	./backend/http:FuzzDecodeVisitRequest ./backend/http:FuzzDecodeVisitTicketRequest ./backend/keys:FuzzCipherOpen \
	./sync/wire:FuzzParseEnrolment ./backend/report:FuzzParseSheet ./backend:FuzzRegistryLine
fuzz: frontend/dist/index.html
	@mkdir -p .tools; shopt -s nullglob; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; before=($$pkg/testdata/fuzz/$$name/*); \
		echo "fuzz $$t"; \
		if ! $(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) 2>&1 | tee .tools/fuzz.log; then \
			after=($$pkg/testdata/fuzz/$$name/*); \
			if [ $${#after[@]} -eq $${#before[@]} ] && tail -4 .tools/fuzz.log | grep -q 'context deadline exceeded'; then \
				echo "fuzz $$t: the coordinator's deadline race (golang/go#75804), no crasher: not a failure"; \
			else exit 1; fi; \
		fi; \
	done

bench: $(BIN)
	$(GO) test -run '^$$' -bench . -benchtime 2000x -count=1 . ./backend/...
	$(GO) test -run '^$$' -bench . -benchtime 1x -count=1 ./sync/agent
	@echo "county stores, bbolt then PostgreSQL: backfill of 1,000,000 entries, 300 stations pushing at once, figures"
	$(GO) test -run '^$$' -bench 'Backfill|Stations300' -benchtime 1x -count=1 ./sync/county/bolt ./sync/county/postgres
	$(GO) test -run '^$$' -bench Figures -benchtime 30x -count=1 ./sync/county/bolt ./sync/county/postgres
	BINGZHAN_BIN=$(CURDIR)/$(BIN) BINGZHAN_BENCH=1 $(GO) test -tags smoke -count=1 -run TestSmoke -v . | grep -E 'window|RSS|ready|budget|ceiling|skipped|FAIL'

lint: setup frontend/dist/index.html
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(GO_PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(GO_PKGS)
	cd frontend && npm run lint

clean:
	rm -rf build/bin frontend/dist $(ARTIFACTS) .tools
