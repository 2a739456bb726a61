// Package api is goCd's wire format: the JSON bodies of its HTTP API
// (/v1/…). goC-cli and any other client need only this package and
// package client.
package api

import "time"

// Version is the API's path prefix.
const Version = "v1"

// ContainerCreate is the body of POST /v1/containers.
type ContainerCreate struct {
	Image      string   `json:"image"`
	Cmd        []string `json:"cmd,omitempty"`
	Env        []string `json:"env,omitempty"`
	Name       string   `json:"name,omitempty"`
	Workdir    string   `json:"workdir,omitempty"`
	Memory     string   `json:"memory,omitempty"` // 100m
	CPU        string   `json:"cpu,omitempty"`    // 0.5
	Pids       int      `json:"pids,omitempty"`
	Network    string   `json:"network,omitempty"` // bridge (also when empty), host or none
	Ports      []string `json:"ports,omitempty"`   // 8080:80/tcp
	AutoRemove bool     `json:"autoRemove,omitempty"`
	// Attach: the client will follow the logs; an autoRemove container is
	// kept until that stream has ended (10 s at the most if it never starts).
	Attach bool `json:"attach,omitempty"`
	// OpenStdin keeps the container's input open for attached clients
	// (run -i); Tty gives it a terminal (run -t). Either makes it
	// attachable: POST /containers/{id}/attach.
	OpenStdin bool `json:"openStdin,omitempty"`
	Tty       bool `json:"tty,omitempty"`
	// StopSignal is what goC-cli stop sends first (SIGQUIT, QUIT, 3);
	// empty: the image's, else SIGTERM.
	StopSignal string `json:"stopSignal,omitempty"`
	Security
	MountFlags
	Options
}

// Security is a container's confinement, in Docker's terms. The zero value
// is Docker's default: its capability set, its seccomp profile, its masked
// and read-only paths, root in the container.
type Security struct {
	// Privileged: every capability, no seccomp filter, nothing masked.
	Privileged bool `json:"privileged,omitempty"`
	// CapAdd and CapDrop name capabilities (NET_ADMIN or CAP_NET_ADMIN,
	// any case) or ALL; the drops apply first.
	CapAdd  []string `json:"capAdd,omitempty"`
	CapDrop []string `json:"capDrop,omitempty"`
	// Seccomp is "unconfined" or the text of a profile in Docker's JSON
	// format (a client reads the file and sends its content, as docker
	// does: goCd opens no path a client names). Empty: Docker's profile.
	Seccomp string `json:"seccomp,omitempty"`
	// NoNewPrivileges sets no_new_privs: setuid files grant nothing.
	NoNewPrivileges bool `json:"noNewPrivileges,omitempty"`
	// ReadOnly mounts the root filesystem read-only.
	ReadOnly bool `json:"readOnly,omitempty"`
	// User is who the command runs as: UID, NAME, UID:GID or NAME:GROUP,
	// names resolved by the image's /etc/passwd and /etc/group. Empty:
	// the image's User, else root.
	User string `json:"user,omitempty"`
}

// Network modes of ContainerCreate.
const (
	NetworkBridge = "bridge" // the default, as Docker's: a namespace of its own on goCd's bridge
	NetworkHost   = "host"   // the host's network
	NetworkNone   = "none"   // a loopback only
)

// SeccompUnconfined is ContainerCreate's Seccomp for no filter at all.
const SeccompUnconfined = "unconfined"

// Container statuses.
const (
	StatusRunning = "running"
	StatusExited  = "exited"
	StatusDead    = "dead" // its monitor died without recording an exit
)

// Container is what goCd knows of one container.
type Container struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Image      string     `json:"image"`
	Cmd        []string   `json:"cmd"`
	Status     string     `json:"status"`
	ExitCode   *int       `json:"exitCode,omitempty"`
	OOMKilled  bool       `json:"oomKilled"`
	IP         string     `json:"ip,omitempty"`
	Ports      []string   `json:"ports,omitempty"`
	AutoRemove bool       `json:"autoRemove,omitempty"` // removed once it has exited
	Created    time.Time  `json:"created"`
	Finished   *time.Time `json:"finished,omitempty"`

	// What run's --hostname, --entrypoint and --label gave (api.Options).
	Hostname   string            `json:"hostname,omitempty"`
	Entrypoint []string          `json:"entrypoint,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	// Paused: running, its processes frozen (goC-cli pause).
	Paused bool `json:"paused,omitempty"`
	// RestartPolicy is run's --restart; RestartCount how many times goCd
	// has started it again by that policy since it was last started by hand.
	RestartPolicy string `json:"restartPolicy,omitempty"`
	RestartCount  int    `json:"restartCount,omitempty"`
	// StopSignal is what goC-cli stop sends before SIGKILL (SIGTERM if empty).
	StopSignal string `json:"stopSignal,omitempty"`
}

// Wait is the answer of POST /v1/containers/{id}/wait.
type Wait struct {
	ExitCode int `json:"exitCode"`
}

// Image is one entry of GET /v1/images.
type Image struct {
	Name    string    `json:"name"`
	Layers  int       `json:"layers"`
	Size    int64     `json:"size"`
	Created time.Time `json:"created"`
	// As Docker's images shows it: the repository and tag of the name
	// ("<none>" for an imported name), the image ID (sha256:…, the same
	// for every name of one image) and the registry's manifest digest of a
	// pulled or pushed image.
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	ID         string `json:"id"`
	Digest     string `json:"digest,omitempty"`
}

// VersionInfo is GET /v1/version.
type VersionInfo struct {
	Version    string `json:"version"`
	APIVersion string `json:"apiVersion"`
	Runtime    string `json:"runtime"`
}

// Info is GET /v1/info.
type Info struct {
	VersionInfo
	Containers int    `json:"containers"`
	Running    int    `json:"running"`
	Images     int    `json:"images"`
	Cgroup     string `json:"cgroup"` // v2 or v1
	DataRoot   string `json:"dataRoot"`
	StateRoot  string `json:"stateRoot"`
	Kernel     string `json:"kernel"`
}

// Error is the body of every error answer.
type Error struct {
	Message string `json:"message"`
}
