package main

import (
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

func TestInspectFormat(t *testing.T) {
	code := 3
	ct := api.Container{ID: "abc", Name: "web", Image: "img", Cmd: []string{"sh", "-c", "x"}, Status: api.StatusExited,
		ExitCode: &code, Hostname: "h1", Labels: map[string]string{"a": "1"}, IP: "10.0.0.2"}
	for format, want := range map[string]string{
		"{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}": "exited 3 false",
		"{{.Config.Hostname}} {{.Name}} {{.Id}}":                   "h1 web abc",
		"{{json .Config.Labels}} {{.status}} {{.ip}}":              `{"a":"1"} exited 10.0.0.2`,
		"{{.Path}} {{join .Args \"+\"}} {{upper .Image}}":          "sh -c+x IMG",
		"{{.NetworkSettings.IPAddress}}":                           "10.0.0.2",
	} {
		tmpl, err := parseFormat(format)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := execFormat(&b, tmpl, ct); err != nil || b.String() != want+"\n" {
			t.Errorf("%s: %q, %v; want %q", format, b.String(), err, want)
		}
	}
	if _, err := parseFormat("{{.State"); err == nil {
		t.Error("a bad template parsed")
	}
	tmpl, _ := parseFormat("{{.Nope}}")
	if err := execFormat(&strings.Builder{}, tmpl, ct); err == nil {
		t.Error("a missing key printed")
	}
}
