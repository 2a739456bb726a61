// Package mounts reads Docker's mount flags — -v/--volume HOST:CTR[:ro],
// --mount type=bind|volume|tmpfs,… and --tmpfs CTR[:OPTS] — with Docker's
// rules and error messages, and turns what they say into the OCI mounts a
// config.json would hold, which goC makes as it makes those (package
// rootfs: the target is resolved inside the rootfs, so a symlink in the
// image cannot lead a mount out of it).
//
// goC run (stage 4) takes binds and tmpfs mounts; volumes, named or
// anonymous, are goCd's (stage 5), which keeps them under its data root and
// hands goC run a bind of the volume's directory.
package mounts

import (
	"fmt"
	"path"
	"strings"
)

// Mount types, Docker's names.
const (
	TypeBind   = "bind"
	TypeVolume = "volume"
	TypeTmpfs  = "tmpfs"
)

// Mount is one mount a flag asks for.
type Mount struct {
	Type string
	// Source is a bind's host path (absolute), a volume's name ("" for an
	// anonymous volume); a tmpfs has none.
	Source string
	// Target is where the mount goes in the container: an absolute path.
	Target   string
	ReadOnly bool
	// CreateSource: a bind of -v, whose missing host path is created, as
	// Docker creates it; --mount type=bind's must exist.
	CreateSource bool
	// Propagation is a bind's (rprivate, shared, …); "" leaves it private.
	Propagation string
	// Options are a tmpfs's mount options and data: exec, size=64m, mode=1777.
	Options []string
}

// ValidName checks a volume's name as Docker does:
// ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ (in a loop: goC links no regexp).
func ValidName(name string) error {
	alnum := func(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }
	ok := len(name) >= 2 && alnum(name[0])
	for i := 1; ok && i < len(name); i++ {
		ok = alnum(name[i]) || name[i] == '_' || name[i] == '.' || name[i] == '-'
	}
	if !ok {
		return fmt.Errorf("%q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. "+
			"If you intended to pass a host directory, use absolute path", name)
	}
	return nil
}

var propagations = map[string]bool{"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true}

// ParseVolume reads -v's value: SOURCE:TARGET[:MODE] or TARGET alone (an
// anonymous volume). An absolute SOURCE is a host path (a bind), any other
// a volume's name — so a relative path, ./data, is an invalid name, as in
// Docker. MODE is a comma-separated list of ro, rw, a propagation, nocopy
// (volumes), and z or Z, which Docker takes for SELinux labels and goC
// ignores.
func ParseVolume(s string) (Mount, error) {
	fail := func(format string, a ...any) (Mount, error) {
		return Mount{}, fmt.Errorf("invalid volume specification: '%s': "+format, append([]any{s}, a...)...)
	}
	if s == "" {
		return Mount{}, fmt.Errorf("invalid empty volume spec")
	}
	parts := strings.Split(s, ":")
	m := Mount{Type: TypeVolume}
	switch len(parts) {
	case 1:
		m.Target = parts[0]
	case 2, 3:
		m.Source, m.Target = parts[0], parts[1]
	default:
		return Mount{}, fmt.Errorf("invalid volume specification: '%s'", s)
	}
	if path.IsAbs(m.Source) {
		m.Type, m.CreateSource = TypeBind, true
		m.Source = path.Clean(m.Source)
	} else if m.Source != "" {
		if err := ValidName(m.Source); err != nil {
			return Mount{}, fmt.Errorf("create %s: %w", m.Source, err)
		}
	}
	if err := checkTarget(m); err != nil {
		return fail("%v", err)
	}
	m.Target = path.Clean(m.Target)
	if len(parts) < 3 {
		return m, nil
	}
	for _, o := range strings.Split(parts[2], ",") {
		switch {
		case o == "ro" || o == "rw":
			m.ReadOnly = o == "ro"
		case o == "z" || o == "Z":
		case o == "nocopy" && m.Type == TypeVolume:
		case propagations[o] && m.Type == TypeBind:
			m.Propagation = o
		default:
			return fail("invalid mode: %s", o)
		}
	}
	return m, nil
}

// checkTarget checks m's target as Docker does; the parsers then keep it
// cleaned (/app/../data is /data), so that no accepted target holds "..". A
// NUL or a line break in a path is refused: the kernel takes no NUL, and
// Args could not hand a line break to goC run intact (encoding/csv reads
// \r\n as \n and drops a final \r).
func checkTarget(m Mount) error {
	prefix := fmt.Sprintf("invalid mount config for type %q: ", m.Type)
	switch {
	case m.Target == "":
		return fmt.Errorf("%sfield Target must not be empty", prefix)
	case !path.IsAbs(m.Target):
		return fmt.Errorf("%sinvalid mount path: '%s' mount path must be absolute", prefix, m.Target)
	case path.Clean(m.Target) == "/":
		return fmt.Errorf("%sinvalid specification: destination can't be '/'", prefix)
	case strings.ContainsAny(m.Target, "\x00\r\n") || strings.ContainsAny(m.Source, "\x00\r\n"):
		return fmt.Errorf("%sNUL or line break in a path", prefix)
	}
	return nil
}

// String is m as goC run's --mount or --tmpfs value (Args).
func (m Mount) String() string { return strings.Join(m.Args(), " ") }

// Args are the goC run flags that make m: --mount for a bind (a volume
// resolved to its directory first: goC run has no volumes), --tmpfs for a
// tmpfs, whose options --mount cannot all say — except for a tmpfs whose
// target has a ':', which --tmpfs would read as the start of its options
// (/data:exec), made by --mount (it has size and mode alone, as
// ParseMount's tmpfs does).
func (m Mount) Args() []string {
	if f, ok := tmpfsMountFields(m); ok {
		return []string{"--mount", csvJoin(f)}
	}
	if m.Type == TypeTmpfs {
		opts := m.Options
		if m.ReadOnly {
			opts = append(append([]string{}, opts...), "ro")
		}
		if len(opts) == 0 {
			return []string{"--tmpfs", m.Target}
		}
		return []string{"--tmpfs", m.Target + ":" + strings.Join(opts, ",")}
	}
	f := []string{"type=" + m.Type, "target=" + m.Target}
	if m.Source != "" {
		f = append(f, "source="+m.Source)
	}
	if m.ReadOnly {
		f = append(f, "readonly")
	}
	if m.Propagation != "" {
		f = append(f, "bind-propagation="+m.Propagation)
	}
	return []string{"--mount", csvJoin(f)}
}

// tmpfsMountFields are --mount's fields for a tmpfs whose target has a ':'
// and whose options --mount can say.
func tmpfsMountFields(m Mount) ([]string, bool) {
	if m.Type != TypeTmpfs || !strings.Contains(m.Target, ":") {
		return nil, false
	}
	f := []string{"type=tmpfs", "target=" + m.Target}
	for _, o := range m.Options {
		k, v, _ := strings.Cut(o, "=")
		if k != "size" && k != "mode" {
			return nil, false
		}
		f = append(f, "tmpfs-"+k+"="+v)
	}
	if m.ReadOnly {
		f = append(f, "readonly")
	}
	return f, true
}

// csvJoin joins fields as encoding/csv writes a record: a field with a
// comma or a quote is quoted.
func csvJoin(fields []string) string {
	for i, f := range fields {
		if strings.ContainsAny(f, ",\"\n") {
			fields[i] = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
	}
	return strings.Join(fields, ",")
}
