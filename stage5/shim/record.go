// Package shim holds the files through which goCd and its shims speak: the
// shim (the "goC shim" verb of stage5/cmd/goC, one per container) writes
// them into the container's directory, goCd reads them. Each file has one
// type here, written and read by the same code. The package is a leaf:
// goCd does not link the runtime.
package shim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"goc.dev/shared/atomicfile"
)

// VerbName is the goC verb that runs a shim.
const VerbName = "shim"

// The shim's later lives, in the same process (see stage5/cmd/goC-shim):
// once the container runs, goC shim execs MonitorBinary (found beside goC)
// with MonitorFlag, which execs goC shim with FinishFlag once it has
// ended.
const (
	MonitorBinary = "goC-shim"
	MonitorFlag   = "--monitor" // PID FD: the container's init, its output
	FinishFlag    = "--finish"  // STATUS: the container's exit status
)

// The files of a container's directory.
const (
	RecordFile = "shim"        // Record: the shim runs
	InfoFile   = "info.json"   // Info: the container runs
	ResultFile = "result.json" // Result: the container has ended
	LogFile    = "log"         // the container's stdout and stderr
	// SeccompFile is the seccomp profile a client sent, written by goCd
	// for goC run's --security-opt seccomp=FILE.
	SeccompFile = "seccomp.json"
	// BundleConfigFile is the container's process as a config.json, written
	// by the shim: the directory is the container's bundle for goC exec.
	BundleConfigFile = "config.json"
	// HandoffFile: Handoff, written by the shim before it execs its
	// monitor, read back by its finish.
	HandoffFile = "handoff.json"
)

// Record says which process the shim is (PID and start time, so that a
// reused PID is not taken for it).
type Record struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// Info is what the shim learns once the container runs.
type Info struct {
	IP string `json:"ip,omitempty"` // its address on the bridge
}

// Result is how the container ended.
type Result struct {
	Status   int   `json:"status"` // goC run's exit status (125: goC failed)
	OOMKills int64 `json:"oomKills,omitempty"`
	// Finished is when the shim recorded it (the file's modification
	// time; not stored in the file).
	Finished time.Time `json:"-"`
}

// Handoff is what the shim's finish needs of the container goC run set
// up, which the monitor in between does not carry.
type Handoff struct {
	Root    string          `json:"root"` // goC's state root
	ID      string          `json:"id"`
	IP      string          `json:"ip,omitempty"`
	Memory  int64           `json:"memory,omitempty"` // the limit, for the OOM message
	Network json.RawMessage `json:"network"`          // network.Config (not linked here)
}

// Dir is a container's directory, where these files are.
type Dir string

func (d Dir) path(name string) string { return filepath.Join(string(d), name) }

// WriteRecord, WriteInfo and WriteResult replace their file atomically.
func (d Dir) WriteRecord(r Record) error { return d.write(RecordFile, r) }
func (d Dir) WriteInfo(i Info) error     { return d.write(InfoFile, i) }
func (d Dir) WriteResult(r Result) error { return d.write(ResultFile, r) }

// WriteHandoff and ReadHandoff: the shim's own file.
func (d Dir) WriteHandoff(h Handoff) error        { return d.write(HandoffFile, h) }
func (d Dir) ReadHandoff() (h Handoff, err error) { return h, d.read(HandoffFile, &h) }

// ReadRecord, ReadInfo and ReadResult read their file; a file not (yet)
// written is an error for which errors.Is(err, fs.ErrNotExist) holds.
func (d Dir) ReadRecord() (r Record, err error) { return r, d.read(RecordFile, &r) }
func (d Dir) ReadInfo() (i Info, err error)     { return i, d.read(InfoFile, &i) }
func (d Dir) ReadResult() (r Result, err error) {
	if err = d.read(ResultFile, &r); err != nil {
		return r, err
	}
	fi, err := os.Stat(d.path(ResultFile))
	if err != nil {
		return r, err
	}
	r.Finished = fi.ModTime().UTC()
	return r, nil
}

// HasResult tells whether the container has ended.
func (d Dir) HasResult() bool {
	_, err := os.Stat(d.path(ResultFile))
	return err == nil
}

// Log is the path of the container's log.
func (d Dir) Log() string { return d.path(LogFile) }

// Seccomp is the path of the container's seccomp profile, if it has one
// of its own.
func (d Dir) Seccomp() string { return d.path(SeccompFile) }

func (d Dir) write(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.Write(d.path(name), b, 0o644)
}

func (d Dir) read(name string, v any) error {
	b, err := os.ReadFile(d.path(name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", d.path(name), err)
	}
	return nil
}

// IsMissing reports a file not written yet.
func IsMissing(err error) bool { return errors.Is(err, fs.ErrNotExist) }
