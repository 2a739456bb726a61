package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"goc.dev/stage5/api"
)

func TestPrintImages(t *testing.T) {
	now := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	id := "sha256:" + strings.Repeat("ab", 32)
	imgs := []api.Image{
		{Name: "bb", Repository: "bb", Tag: "<none>", ID: id, Size: 4_263_000, Created: now.Add(-90 * time.Second)},
		{Name: "127.0.0.1:5000/t/bb:v1", Repository: "127.0.0.1:5000/t/bb", Tag: "v1", ID: id, Digest: "sha256:dd",
			Size: 999, Created: now.Add(-3 * 24 * time.Hour)},
	}
	var out bytes.Buffer
	if err := printImages(&out, imgs, false, now); err != nil {
		t.Fatal(err)
	}
	want := "REPOSITORY            TAG      IMAGE ID       CREATED              SIZE\n" +
		"bb                    <none>   abababababab   About a minute ago   4.26MB\n" +
		"127.0.0.1:5000/t/bb   v1       abababababab   3 days ago           999B\n"
	if out.String() != want {
		t.Errorf("images:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := printImages(&out, imgs, true, now); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) != 4 || strings.Join(strings.Fields(lines[0]), " ") != "REPOSITORY TAG DIGEST IMAGE ID CREATED SIZE" ||
		strings.Join(strings.Fields(lines[1])[:4], " ") != "bb <none> <none> abababababab" ||
		strings.Join(strings.Fields(lines[2])[:4], " ") != "127.0.0.1:5000/t/bb v1 sha256:dd abababababab" {
		t.Errorf("images --digests:\n%s", out.String())
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "Less than a second", time.Second: "1 second", 59 * time.Second: "59 seconds",
		time.Minute: "About a minute", 59 * time.Minute: "59 minutes", time.Hour: "About an hour",
		47 * time.Hour: "47 hours", 13 * 24 * time.Hour: "13 days", 20 * 24 * time.Hour: "2 weeks",
		90 * 24 * time.Hour: "3 months", 800 * 24 * time.Hour: "2 years",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0B", 999: "999B", 1234: "1.23kB", 4_263_000: "4.26MB", 2e9: "2GB"} {
		if got := decimalSize(float64(n)); got != want {
			t.Errorf("decimalSize(%d) = %q, want %q", n, got, want)
		}
	}
}
