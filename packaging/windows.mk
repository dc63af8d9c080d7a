# Windows: the station program bingzhan.exe (a Wails app), the county server
# bingzhan-county.exe (also a Windows service) and the station's installer
# bingzhan-setup-VERSION.exe, all built here: on Windows neither program needs cgo,
# and Debian's NSIS makes the installer. docs/install-windows.md says what they do.

# Debian packages for the Windows packages (nsis) and for running them in their tests
# (wine64; the MinGW compiler builds a DLL that Wine 8 lacks, see windows_test.go).
PACKAGE_APT_WINDOWS := nsis imagemagick wine64 gcc-mingw-w64-x86-64-win32
PACKAGE_APT += $(PACKAGE_APT_WINDOWS)

WIN_PKG := $(PKG)/windows
# Windows wants four numbers in a version (0.9.158 -> 0.9.158.0).
WIN_VERSION := $(shell echo '$(VERSION)' | awk -F. '{ printf "%d.%d.%d.%d", $$1, $$2, $$3, $$4 }')
GO_WINRES := $(GO) run github.com/tc-hib/go-winres@v0.3.3
# What `wails build -platform windows/amd64` passes to go build, without the Wails CLI:
# the desktop runtime in production mode, a GUI program (no console window).
WIN_GOENV := GOOS=windows GOARCH=amd64 CGO_ENABLED=0
comma := ,

.PHONY: package-windows windows-force
package-windows: $(DIST)/bingzhan.exe $(DIST)/bingzhan-county.exe $(DIST)/bingzhan-setup-$(VERSION).exe

# Installs only what is missing, like .tools/apt.stamp.
.tools/apt-windows.stamp: packaging/windows.mk
	@mkdir -p .tools
	@missing=$$(for p in $(PACKAGE_APT_WINDOWS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

# The version every Windows file carries; rewritten only when it changes, so that a
# new commit rebuilds the resources even when no source file changed.
$(WIN_PKG)/version: windows-force
	@mkdir -p $(@D)
	@echo '$(VERSION) $(COMMIT)' | cmp -s - $@ || echo '$(VERSION) $(COMMIT)' > $@

# Icon, manifest (per-monitor DPI, common controls 6, as invoker) and version info as
# an object file that go build links into the program.
$(WIN_PKG)/%_windows_amd64.syso: packaging/windows/%.winres.json build/appicon.png $(WIN_PKG)/version
	$(GO_WINRES) make --in $< --out $(WIN_PKG)/$* --arch amd64 --product-version $(WIN_VERSION) --file-version $(WIN_VERSION)

# go build links every rsrc_windows_amd64.syso in the package's folder, and only for
# windows/amd64; the copy is there only during this build, so nothing generated lies
# in the source tree.
define win-build
	@mkdir -p $(@D)
	trap 'rm -f $(2)/rsrc_windows_amd64.syso' EXIT; \
	cp $(1) $(2)/rsrc_windows_amd64.syso; \
	$(WIN_GOENV) $(GO) build $(3) -trimpath -o $@ ./$(2)
endef

$(DIST)/bingzhan.exe: $(WIN_PKG)/bingzhan_windows_amd64.syso frontend/dist/index.html $(GO_FILES) go.mod go.sum
	$(call win-build,$<,.,-tags desktop$(comma)production -ldflags "-H windowsgui $(LDFLAGS)")

$(DIST)/bingzhan-county.exe: $(WIN_PKG)/bingzhan-county_windows_amd64.syso $(GO_FILES) go.mod go.sum
	$(call win-build,$<,cmd/bingzhan-county,-ldflags "$(LDFLAGS)")

# The installer's own icon: NSIS takes an .ico, not a PNG.
$(WIN_PKG)/bingzhan.ico: build/appicon.png | .tools/apt-windows.stamp
	@mkdir -p $(@D)
	convert $< -define icon:auto-resize=256,48,32,16 $@

# Per-machine installer in Simplified Chinese and English (packaging/windows/bingzhan.nsi).
$(DIST)/bingzhan-setup-$(VERSION).exe: packaging/windows/bingzhan.nsi $(DIST)/bingzhan.exe $(WIN_PKG)/bingzhan.ico | .tools/apt-windows.stamp
	makensis -V2 -NOCD -DVERSION=$(VERSION) -DWIN_VERSION=$(WIN_VERSION) \
		-DEXE=$(DIST)/bingzhan.exe -DICON=$(WIN_PKG)/bingzhan.ico -DOUTFILE=$@ $<
