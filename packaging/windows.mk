# Windows: bingzhan.exe, bingzhan-county.exe and the NSIS installer.
.PHONY: package-windows
package-windows:
