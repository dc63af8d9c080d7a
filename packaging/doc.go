// Package packaging holds what makes and checks the station's and the county's
// installable packages: the Debian packages (nfpm), the Windows installer (NSIS),
// and the tests, under the build tag "package", that install, upgrade, remove and
// run them (make test-package).
package packaging
