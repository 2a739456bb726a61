package cgroups

import (
	"encoding/json"
	"io"
	"time"
)

// Event is one line of "goC events": runc's shape, so that tools that read
// runc's events read goC's.
type Event struct {
	Type string `json:"type"` // "stats" or "oom"
	ID   string `json:"id"`   // the container's
	Data any    `json:"data,omitempty"`
}

// EventStats is the data of a "stats" event: the part of runc's stats that
// Usage holds, under runc's names.
type EventStats struct {
	CPU struct {
		Usage struct {
			Total uint64 `json:"total"` // nanoseconds
		} `json:"usage"`
	} `json:"cpu"`
	Memory struct {
		Usage struct {
			Usage int64 `json:"usage"`
			Max   int64 `json:"max"`
			Limit int64 `json:"limit"`
		} `json:"usage"`
	} `json:"memory"`
	Pids struct {
		Current int64 `json:"current"`
		Limit   int64 `json:"limit"`
	} `json:"pids"`
}

// statsEvent is the "stats" event of container id, whose cgroup uses u.
func statsEvent(id string, u Usage) Event {
	var s EventStats
	s.CPU.Usage.Total = u.CPUTotalNs
	s.Memory.Usage.Usage, s.Memory.Usage.Max, s.Memory.Usage.Limit = u.MemoryUsage, u.MemoryPeak, u.MemoryLimit
	s.Pids.Current, s.Pids.Limit = u.PidsCurrent, u.PidsLimit
	return Event{Type: "stats", ID: id, Data: s}
}

// oomEvent is the event of container id that says the OOM killer struck.
func oomEvent(id string) Event { return Event{Type: "oom", ID: id} }

// WriteEvents writes container id's events to w, a JSON line each, as
// "runc events" does: a stats event now and, unless once, every interval
// after, each preceded by an oom event if the OOM killer struck since the
// one before. usage reads the container's cgroup: its first error is
// returned, a later one ends the stream (the container stopped).
func WriteEvents(w io.Writer, id string, once bool, interval time.Duration, usage func() (Usage, Stats, error)) error {
	enc := json.NewEncoder(w)
	var ooms int64
	for first := true; ; first = false {
		u, st, err := usage()
		if err != nil {
			if first {
				return err
			}
			return nil // it stopped
		}
		if st.OOMKills > ooms && !first {
			_ = enc.Encode(oomEvent(id))
		}
		ooms = st.OOMKills
		if err := enc.Encode(statsEvent(id, u)); err != nil || once {
			return err
		}
		time.Sleep(interval)
	}
}
