package agent_test

import (
	"testing"

	"bingzhan/sync/county/postgres/pgtest"
)

// TestMain shares one PostgreSQL cluster among the tests that run on the PostgreSQL
// county, and stops it at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }
