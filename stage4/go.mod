module goc.dev/stage4

go 1.26.0

require (
	goc.dev/shared v0.0.0
	golang.org/x/sys v0.50.0
)

require github.com/google/go-cmp v0.7.0

replace goc.dev/shared => ../shared
