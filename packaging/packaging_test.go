//go:build package

package packaging_test

// dist is where `make package` leaves the packages these tests install and run.
const dist = "../build/dist"
