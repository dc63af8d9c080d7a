# Linux packages: the station and the county program for amd64 and arm64 as .debs,
# made with nfpm from the binaries in $(PKG)/linux-ARCH/ (packaging/arm64.mk builds
# them, the arm64 kiosk cross-compiled with its window).
NFPM_VERSION := v2.45.2
NFPM := $(GOBIN)/nfpm
DEB_ARCHES := amd64 arm64
PACKAGE_APT += imagemagick lintian gettext-base desktop-file-utils

.PHONY: package-linux
package-linux: $(foreach a,$(DEB_ARCHES),$(DIST)/bingzhan_$(VERSION)_$(a).deb $(DIST)/bingzhan-county_$(VERSION)_$(a).deb)

.tools/nfpm-$(NFPM_VERSION).stamp:
	@mkdir -p .tools
	$(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)
	@touch $@

# The window's icon at the sizes desktops look for.
DEB_ICONS := $(PKG)/icons
$(DEB_ICONS)/%/bingzhan.png: build/appicon.png | .tools/apt.stamp
	@mkdir -p $(@D)
	convert $< -resize $*x$* -depth 8 -strip $@

$(PKG)/man/%.1.gz: packaging/deb/%.1
	@mkdir -p $(@D)
	gzip -9n < $< > $@

# One changelog entry for this build: Debian wants one that names the package and
# its version (the packages are native, without a Debian revision: changelog.gz).
$(PKG)/$(VERSION)/%.changelog.gz:
	@mkdir -p $(@D)
	printf '%s (%s) stable; urgency=medium\n\n  * Built from commit %s.\n\n -- Bingzhan developers <dev@bingzhan.example>  %s\n' \
		'$*' '$(VERSION)' '$(COMMIT)' "$$(date -R -d "$$(git log -1 --format=%cI 2>/dev/null || date -Iseconds)")" | gzip -9n > $@

# nfpm reads ${VAR} only in a few fields, so a package's config is filled in first.
# $(1) the package, $(2) the architecture.
nfpm = VERSION=$(VERSION) ARCH=$(2) BIN=$(PKG)/linux-$(2) ICONS=$(DEB_ICONS) MAN=$(PKG)/man \
		CHANGELOG=$(PKG)/$(VERSION)/$(1).changelog.gz \
		envsubst '$$$$VERSION $$$$ARCH $$$$BIN $$$$ICONS $$$$MAN $$$$CHANGELOG' < packaging/deb/$(1).yaml > $(PKG)/$(1)-$(2).yaml && \
	$(NFPM) package --config $(PKG)/$(1)-$(2).yaml --packager deb --target $$@

define deb_rules
$(DIST)/bingzhan_$(VERSION)_$(1).deb: $(PKG)/linux-$(1)/bingzhan packaging/deb/bingzhan.yaml .tools/nfpm-$(NFPM_VERSION).stamp \
		$(PKG)/$(VERSION)/bingzhan.changelog.gz $(foreach s,48 128 256,$(DEB_ICONS)/$(s)/bingzhan.png) \
		$(PKG)/man/bingzhan.1.gz $(wildcard packaging/deb/*.desktop) packaging/deb/copyright
	@mkdir -p $(DIST)
	$(call nfpm,bingzhan,$(1))

$(DIST)/bingzhan-county_$(VERSION)_$(1).deb: $(PKG)/linux-$(1)/bingzhan-county packaging/deb/bingzhan-county.yaml \
		.tools/nfpm-$(NFPM_VERSION).stamp $(PKG)/$(VERSION)/bingzhan-county.changelog.gz $(PKG)/man/bingzhan-county.1.gz \
		$(wildcard packaging/deb/bingzhan-county.* packaging/deb/county-*) packaging/deb/serve.conf packaging/deb/copyright
	@mkdir -p $(DIST)
	$(call nfpm,bingzhan-county,$(1))
endef
$(foreach a,$(DEB_ARCHES),$(eval $(call deb_rules,$(a))))

include packaging/arm64.mk
