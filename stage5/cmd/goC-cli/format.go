package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"

	"goc.dev/stage5/api"
)

// inspect --format: a Go template over a container in Docker's shape
// (.State.Status, .Config.Labels, …) and, as they are, the keys of goCd's
// own JSON (.status, .ip, …). Its functions are Docker's most used: json,
// join, split, lower, upper; a key that is not there is an error, as in
// Docker.

// templateFuncs are the functions a --format template may call.
var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join":  func(v []any, sep string) string { return strings.Join(strs(v), sep) },
	"split": strings.Split,
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
}

func strs(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprint(x)
	}
	return out
}

// parseFormat parses a --format template.
func parseFormat(text string) (*template.Template, error) {
	t, err := template.New("format").Funcs(templateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("bad --format: %w", err)
	}
	return t, nil
}

// execFormat prints ct through t, and a newline, as docker inspect -f.
func execFormat(w io.Writer, t *template.Template, ct api.Container) error {
	data, err := templateData(ct)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, b.String())
	return err
}

// dockerView is a container in the shape of docker inspect's, as far as
// goCd knows it. (Docker's Name starts with "/"; goC-cli's is the name.)
type dockerView struct {
	ID              string `json:"Id"`
	Name            string
	Image           string
	Created         string
	Path            string
	Args            []string
	State           dockerState
	Config          dockerConfig
	NetworkSettings struct{ IPAddress string }
	HostConfig      struct {
		AutoRemove    bool
		RestartPolicy struct {
			Name              string
			MaximumRetryCount int
		}
	}
	RestartCount int
}

type dockerState struct {
	Status     string
	Running    bool
	Paused     bool
	Dead       bool
	OOMKilled  bool
	ExitCode   int
	FinishedAt string
}

type dockerConfig struct {
	Hostname   string
	Image      string
	Entrypoint []string
	Cmd        []string
	Labels     map[string]string
	StopSignal string `json:",omitempty"`
}

// templateData is what a template sees: goCd's JSON of ct, as a map, and
// the keys of its Docker view.
func templateData(ct api.Container) (map[string]any, error) {
	v := dockerView{ID: ct.ID, Name: ct.Name, Image: ct.Image, Created: ct.Created.Format(time.RFC3339Nano),
		State: dockerState{Status: ct.Status, Running: ct.Status == api.StatusRunning,
			Dead: ct.Status == api.StatusDead, OOMKilled: ct.OOMKilled},
		Config: dockerConfig{Hostname: ct.Hostname, Image: ct.Image, Entrypoint: ct.Entrypoint, Cmd: ct.Cmd,
			Labels: ct.Labels, StopSignal: ct.StopSignal}}
	if cmd := append(append([]string{}, ct.Entrypoint...), ct.Cmd...); len(cmd) > 0 {
		v.Path, v.Args = cmd[0], cmd[1:]
	}
	if ct.ExitCode != nil {
		v.State.ExitCode = *ct.ExitCode
	}
	if ct.Paused {
		v.State.Status, v.State.Paused = api.StatusPaused, true
	}
	if ct.Finished != nil {
		v.State.FinishedAt = ct.Finished.Format(time.RFC3339Nano)
	}
	v.NetworkSettings.IPAddress = ct.IP
	v.HostConfig.AutoRemove = ct.AutoRemove
	v.RestartCount = ct.RestartCount
	name, max, _ := strings.Cut(ct.RestartPolicy, ":")
	if name == "" {
		name = api.RestartNo
	}
	v.HostConfig.RestartPolicy.Name = name
	v.HostConfig.RestartPolicy.MaximumRetryCount, _ = strconv.Atoi(max)
	data := map[string]any{}
	for _, part := range []any{ct, v} {
		b, err := json.Marshal(part)
		if err == nil {
			err = json.Unmarshal(b, &data)
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}
