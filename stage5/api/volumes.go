package api

import "time"

// MountFlags are a container's mounts as Docker's flags say them; goCd
// reads them with Docker's rules (package goc.dev/shared/mounts).
type MountFlags struct {
	// Volumes are -v's: HOST:CTR[:ro] binds a host path (made if missing),
	// NAME:CTR[:ro] a named volume (made if missing), CTR alone a new
	// anonymous volume.
	Volumes []string `json:"volumes,omitempty"`
	// Mounts are --mount's: type=bind|volume|tmpfs,source=…,target=…,readonly.
	Mounts []string `json:"mounts,omitempty"`
	// Tmpfs are --tmpfs's: CTR[:OPTIONS].
	Tmpfs []string `json:"tmpfs,omitempty"`
}

// Volume is one of goCd's volumes (GET /v1/volumes, /v1/volumes/{name}).
type Volume struct {
	Name       string    `json:"name"`
	Mountpoint string    `json:"mountpoint"` // its directory on the host
	Anonymous  bool      `json:"anonymous,omitempty"`
	Created    time.Time `json:"created"`
	// UsedBy are the containers, running or not, whose mounts name it.
	UsedBy []string `json:"usedBy,omitempty"`
}

// VolumeCreate is the body of POST /v1/volumes; an empty name is a new
// random one.
type VolumeCreate struct {
	Name string `json:"name,omitempty"`
}
