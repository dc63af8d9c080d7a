# The station and county binaries that go into the Linux packages, for amd64 and arm64
# (Phytium and Kunpeng desktops running Kylin or UOS), one recipe per program for both
# architectures: `make package-amd64-bin package-arm64-bin` leaves them in
# $(PKG)/linux-ARCH/.
#
# The arm64 kiosk is cgo against WebKitGTK and GTK 3, so it needs their arm64 headers,
# .pc files and libraries. Debian 12's multiarch cannot give them beside the amd64 ones
# this machine builds with: libwebkit2gtk-4.1-dev pulls libsoup-3.0-dev, whose
# sysprof-capture-4 comes only in libsysprof-4-dev, which pulls libgtk-4-dev and so
# libgraphene-1.0-dev, libgirepository1.0-dev and gobject-introspection. Those three
# are not Multi-Arch: same, so their arm64 versions would remove the amd64 ones (and
# with them the amd64 WebKit build), and gobject-introspection:arm64 needs python3 and
# build-essential of arm64 as well. The arm64 -dev packages therefore go into a sysroot
# of their own, .tools/sysroot-arm64, where apt resolves them as on an arm64 machine.
# Multiarch still brings the arm64 runtime libraries, which do co-install: the
# packaging tests run the arm64 binaries under qemu against them, as a station's
# dpkg would install them.

.PHONY: package-amd64-bin package-arm64-bin

# A static pattern rule: make looks for no implicit rule for a phony target.
package-amd64-bin package-arm64-bin: package-%-bin: $(PKG)/linux-%/bingzhan $(PKG)/linux-%/bingzhan-county
	@ls -l $^

# The binaries embed VERSION and COMMIT, which change without any source file
# changing; this file changes with them, so a new version rebuilds. The packaging
# tests read it for the version the binaries must report.
$(PKG)/.version: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@

.PHONY: FORCE
FORCE:

# What differs between the architectures: the C compiler and where pkg-config finds
# the libraries. amd64 is this machine's own; arm64 is cross-compiled into the sysroot.
ARM64_SYSROOT := $(CURDIR)/.tools/sysroot-arm64
$(PKG)/linux-amd64/%: CGO_ENV := CC=gcc
$(PKG)/linux-arm64/%: CGO_ENV := CC='aarch64-linux-gnu-gcc --sysroot=$(ARM64_SYSROOT)' \
	PKG_CONFIG_SYSROOT_DIR=$(ARM64_SYSROOT) PKG_CONFIG_PATH= \
	PKG_CONFIG_LIBDIR=$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/pkgconfig:$(ARM64_SYSROOT)/usr/share/pkgconfig

$(PKG)/linux-amd64/bingzhan: | .tools/apt.stamp
$(PKG)/linux-arm64/bingzhan: | .tools/apt-arm64.stamp .tools/sysroot-arm64.stamp

# Position-independent, as Debian builds its own programs (lintian warns otherwise).
DEB_GOFLAGS := -trimpath -buildmode=pie

# The kiosk with its window: the tags `wails build` gives it, through go build
# itself, since make builds the frontend and the compiler and pkg-config are set above.
$(PKG)/linux-%/bingzhan: frontend/dist/index.html $(GO_FILES) go.mod go.sum $(PKG)/.version
	@mkdir -p $(@D)
	env GOOS=linux GOARCH=$* CGO_ENABLED=1 $(CGO_ENV) \
		$(GO) build $(DEB_GOFLAGS) -tags desktop,production,$(TAGS) -ldflags "-s -w $(LDFLAGS)" -o $@ .

# The county server is pure Go, so it needs no C toolchain for any architecture.
$(PKG)/linux-%/bingzhan-county: $(GO_FILES) go.mod go.sum $(PKG)/.version
	@mkdir -p $(@D)
	env GOOS=linux GOARCH=$* CGO_ENABLED=0 \
		$(GO) build $(DEB_GOFLAGS) -ldflags "-s -w $(LDFLAGS)" -o $@ ./cmd/bingzhan-county

## ---- arm64 set-up (idempotent) ----

# The cross compiler, qemu, mmdebstrap for the sysroot, and through multiarch the arm64
# libraries the kiosk runs against. Multi-Arch: same libraries must be at the same
# version for both architectures, so installing the arm64 ones may first upgrade
# amd64 ones to the mirror's current point release.
ARM64_APT := gcc-aarch64-linux-gnu qemu-user-static mmdebstrap \
	libc6:arm64 libgtk-3-0:arm64 libwebkit2gtk-4.1-0:arm64

.tools/apt-arm64.stamp: packaging/arm64.mk
	@mkdir -p .tools
	@SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then \
		echo "adding the Debian architecture arm64"; \
		$$SUDO dpkg --add-architecture arm64; \
	fi; \
	missing=$$(for p in $(ARM64_APT); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$$SUDO apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

# The arm64 -dev packages (and libc6-dev, for the C start files) with everything they
# depend on, unpacked and never configured: nothing in it runs, so no qemu is needed.
# It comes from this machine's own Debian sources and release, so its libraries are
# those multiarch installs. Documentation and translations only take room.
ARM64_SYSROOT_PACKAGES := libc6-dev,libgtk-3-dev,libwebkit2gtk-4.1-dev
ARM64_SUITE = $(shell . /etc/os-release && echo $$VERSION_CODENAME)
ARM64_SOURCES = $(firstword $(wildcard /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list))

.tools/sysroot-arm64.stamp: packaging/arm64.mk | .tools/apt-arm64.stamp
	rm -rf $(ARM64_SYSROOT)
	mmdebstrap --quiet --variant=extract --architectures=arm64 \
		--include=$(ARM64_SYSROOT_PACKAGES) $(ARM64_SUITE) $(ARM64_SYSROOT) $(ARM64_SOURCES)
	rm -rf $(ARM64_SYSROOT)/usr/share/doc $(ARM64_SYSROOT)/usr/share/man $(ARM64_SYSROOT)/usr/share/locale
	@touch $@
