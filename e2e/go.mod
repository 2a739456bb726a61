module goc.dev/e2e

go 1.26.0

require (
	github.com/rogpeppe/go-internal v1.16.0
	goc.dev/shared v0.0.0
	golang.org/x/sys v0.50.0
)

require golang.org/x/tools v0.26.0 // indirect

replace goc.dev/shared => ../shared
