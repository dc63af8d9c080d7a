module bingzhan

go 1.25.0

ignore ./frontend/node_modules

require (
	github.com/google/uuid v1.6.0
	go.etcd.io/bbolt v1.5.0
)

require (
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
