package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Leftovers counts what the cleanup after a file removed.
type Leftovers struct{ Containers, Processes, Mounts, Cgroups int }

func (l Leftovers) add(m Leftovers) Leftovers {
	return Leftovers{l.Containers + m.Containers, l.Processes + m.Processes, l.Mounts + m.Mounts, l.Cgroups + m.Cgroups}
}

func (l Leftovers) String() string {
	return fmt.Sprintf("%d containers, %d processes, %d mounts, %d cgroups", l.Containers, l.Processes, l.Mounts, l.Cgroups)
}

// mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct{ Point, FSType string }

// parseMountinfo reads /proc/PID/mountinfo: each mount's point (octal
// escapes such as \040 undone) and filesystem type.
func parseMountinfo(r io.Reader) ([]mountEntry, error) {
	var out []mountEntry
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		m := mountEntry{Point: unescape(fields[4])}
		for i, f := range fields {
			if f == "-" && i+1 < len(fields) {
				m.FSType = fields[i+1]
				break
			}
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// unescape undoes the kernel's \ooo escapes (space, tab, newline, \).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
