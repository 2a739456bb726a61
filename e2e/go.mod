module goc.dev/e2e

go 1.26.0

require (
	github.com/rogpeppe/go-internal v1.16.0
	goc.dev/shared v0.0.0
	goc.dev/stage5 v0.0.0
	golang.org/x/crypto v0.58.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/google/nftables v0.3.0 // indirect
	github.com/mdlayher/netlink v1.7.3-0.20250113171957-fbb4dce95f42 // indirect
	github.com/mdlayher/socket v0.5.0 // indirect
	github.com/vishvananda/netlink v1.3.1 // indirect
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)

replace goc.dev/shared => ../shared

replace goc.dev/stage5 => ../stage5

replace goc.dev/stage4 => ../stage4
