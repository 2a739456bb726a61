package api

// Options are the parts of a container's configuration that are Docker's
// daily-use run flags (--hostname, --entrypoint, --label); they are
// embedded in ContainerCreate.
type Options struct {
	// Hostname is the container's host name; empty: its ID's first 12
	// characters, as Docker's.
	Hostname string `json:"hostname,omitempty"`
	// Entrypoint, if given, comes before Cmd: the command run is
	// Entrypoint followed by Cmd.
	Entrypoint []string `json:"entrypoint,omitempty"`
	// Labels are metadata of the user's, shown by inspect and matched by
	// ps --filter label=K[=V].
	Labels map[string]string `json:"labels,omitempty"`
	// Restart is the restart policy: no (also when empty),
	// on-failure[:N], always or unless-stopped (RestartPolicy).
	Restart string `json:"restart,omitempty"`
}

// Restart policies, as Docker's: when goCd starts a container that has
// exited again. on-failure takes a maximum count: on-failure:3.
const (
	RestartNo            = "no"
	RestartOnFailure     = "on-failure"     // when it exits with a status other than 0
	RestartAlways        = "always"         // whatever its status, but after stop until goCd starts again
	RestartUnlessStopped = "unless-stopped" // whatever its status, but after stop
)

// StatusPaused is the status of a container whose processes are frozen
// (goC-cli pause).
const StatusPaused = "paused"

// Top is GET /containers/{id}/top: ps(1)'s columns and the container's
// processes, one row each, as docker top's API has them.
type Top struct {
	Titles    []string   `json:"titles"`
	Processes [][]string `json:"processes"`
}
