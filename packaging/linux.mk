# Linux packages: the station and county programs for amd64 and arm64 as .debs.
.PHONY: package-linux
package-linux:
