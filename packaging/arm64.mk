# Stand-in until the arm64 cross-build lands: the amd64 binaries of the packages.
$(PKG)/linux-amd64/bingzhan: frontend/dist/index.html $(GO_FILES)
	@mkdir -p $(@D)
	CGO_ENABLED=1 $(GO) build -trimpath -buildmode=pie -tags desktop,production,$(TAGS) -ldflags "-s -w $(LDFLAGS)" -o $@ .
$(PKG)/linux-amd64/bingzhan-county: $(GO_FILES)
	@mkdir -p $(@D)
	CGO_ENABLED=0 $(GO) build -trimpath -buildmode=pie -ldflags "-s -w $(LDFLAGS)" -o $@ ./cmd/bingzhan-county
