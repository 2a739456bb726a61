package container

import (
	"encoding/json"
	"fmt"
	"log/slog"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/hooks"
	"goc.dev/shared/state"
	"goc.dev/shared/syncsock"
)

// ociState is the state hooks get on their stdin.
func (ct *container) ociState(status string) specs.State {
	return specs.State{Version: specs.Version, ID: ct.o.ID, Status: specs.ContainerState(status), Pid: ct.cmd.Process.Pid,
		Bundle: ct.o.Bundle, Annotations: ct.o.Annotations}
}

// createHooks runs prestart and createRuntime hooks while the init waits
// before its pivot, and answers with the state for createContainer's.
func (ct *container) createHooks() (syncsock.Message, error) {
	st := ct.ociState(state.Creating)
	h := ct.o.Runtime.Hooks
	if err := hooks.Run("prestart", h.Prestart, st); err != nil {
		return syncsock.Message{}, err
	}
	if err := hooks.Run("createRuntime", h.CreateRuntime, st); err != nil {
		return syncsock.Message{}, err
	}
	b, err := json.Marshal(st)
	return syncsock.Message{Type: syncsock.HooksDone, State: b}, err
}

// started runs the poststart hooks once the process runs; their failure is
// a warning (runtime-spec).
func started(st *state.State) {
	if st.Hooks == nil {
		return
	}
	s := specs.State{Version: specs.Version, ID: st.ID, Status: specs.StateRunning, Pid: st.Pid, Bundle: st.Bundle, Annotations: st.Annotations}
	if err := hooks.Run("poststart", st.Hooks.Poststart, s); err != nil {
		slog.Warn(err.Error())
	}
}

// stopped runs the poststop hooks once the container is deleted (delete),
// or its workload has ended (run); their failure is a warning.
func stopped(st *state.State) {
	if st == nil || st.Hooks == nil {
		return
	}
	s := specs.State{Version: specs.Version, ID: st.ID, Status: specs.StateStopped, Bundle: st.Bundle, Annotations: st.Annotations}
	if err := hooks.Run("poststop", st.Hooks.Poststop, s); err != nil {
		slog.Warn(err.Error())
	}
}

// runHooks runs hooks from inside the container (the init) with the state
// the parent sent.
func runHooks(kind string, hs []specs.Hook, state json.RawMessage) error {
	if len(hs) == 0 {
		return nil
	}
	var st specs.State
	if err := json.Unmarshal(state, &st); err != nil {
		return fmt.Errorf("%s hooks: state: %w", kind, err)
	}
	return hooks.Run(kind, hs, st)
}
