package main

import (
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

func TestPrintPorts(t *testing.T) {
	ct := api.Container{Name: "web", Status: api.StatusRunning, Ports: []string{"8080:80", "5353:53/udp"}}
	var b strings.Builder
	if err := printPorts(&b, ct, ""); err != nil || b.String() != "80/tcp -> 0.0.0.0:8080\n53/udp -> 0.0.0.0:5353\n" {
		t.Fatalf("all: %q, %v", b.String(), err)
	}
	b.Reset()
	if err := printPorts(&b, ct, withProto("53/udp")); err != nil || b.String() != "0.0.0.0:5353\n" {
		t.Fatalf("53/udp: %q, %v", b.String(), err)
	}
	if err := printPorts(&b, ct, withProto("53")); err == nil || err.Error() != "no public port '53/tcp' published for web" {
		t.Fatalf("53/tcp: %v", err)
	}
	ct.Status = api.StatusExited
	b.Reset()
	if err := printPorts(&b, ct, ""); err != nil || b.String() != "" {
		t.Fatalf("exited: %q, %v", b.String(), err)
	}
}
