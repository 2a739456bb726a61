package api

// ExecCreate is the body of POST /v1/containers/{id}/exec: one more
// process in a running container, as Docker's exec.
type ExecCreate struct {
	Cmd     []string `json:"cmd"`
	Env     []string `json:"env,omitempty"`     // K=V, added to the container's
	Workdir string   `json:"workdir,omitempty"` // absolute; the container's by default
	User    string   `json:"user,omitempty"`    // UID[:GID]; the container's by default
	Tty     bool     `json:"tty,omitempty"`     // a terminal: one raw stream
	Stdin   bool     `json:"stdin,omitempty"`   // the client's input is the process's
}

// ExecCreated is the answer of POST /v1/containers/{id}/exec.
type ExecCreated struct {
	ID string `json:"id"`
}

// Exec is GET /v1/exec/{id}/json: an exec's state, and its exit code
// once it has ended.
type Exec struct {
	ID          string   `json:"id"`
	ContainerID string   `json:"containerId"`
	Cmd         []string `json:"cmd"`
	Tty         bool     `json:"tty"`
	Running     bool     `json:"running"`
	ExitCode    *int     `json:"exitCode,omitempty"`
}

// The headers of an attached stream: the request asks for the upgrade,
// the 101 answer grants it; the content type says whether the stream is
// multiplexed (no terminal) or raw (a terminal), as Docker's.
const (
	UpgradeProto     = "tcp"
	StreamMultiplex  = "application/vnd.docker.multiplexed-stream"
	StreamRaw        = "application/vnd.docker.raw-stream"
	HeaderUpgrade    = "Upgrade"
	HeaderConnection = "Connection"
)
