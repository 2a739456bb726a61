package mounts

import (
	"encoding/csv"
	"fmt"
	"path"
	"strconv"
	"strings"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/spec"
)

// ParseMount reads --mount's value as Docker does: comma-separated
// key=value fields (a CSV record: a field may be quoted), the keys type
// (bind, volume or tmpfs; volume when missing), source or src, target or
// dst or destination, readonly or ro (alone, or =true|false|1|0),
// bind-propagation, volume-nocopy, tmpfs-size and tmpfs-mode. A bind's
// source must exist (Prepare); a volume's is its name, none an anonymous
// one; a tmpfs has none.
func ParseMount(s string) (Mount, error) {
	r := csv.NewReader(strings.NewReader(s))
	fields, err := r.Read()
	if err != nil {
		return Mount{}, fmt.Errorf("invalid argument %q for --mount: %w", s, err)
	}
	m := Mount{Type: TypeVolume}
	var tmpfs, volume []string // the keys only a tmpfs or a volume takes
	for _, f := range fields {
		key, val, hasVal := strings.Cut(f, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		switch key {
		case "readonly", "ro", "volume-nocopy":
			b := true
			if hasVal {
				if b, err = strconv.ParseBool(val); err != nil {
					return Mount{}, fmt.Errorf("invalid value for %s: %s", key, val)
				}
			}
			if key == "volume-nocopy" {
				volume = append(volume, key)
			} else {
				m.ReadOnly = b
			}
			continue
		}
		if !hasVal {
			return Mount{}, fmt.Errorf("invalid field '%s' must be a key=value pair", f)
		}
		switch key {
		case "type":
			m.Type = strings.ToLower(val)
		case "source", "src":
			m.Source = val
		case "target", "dst", "destination":
			m.Target = val
		case "bind-propagation":
			if !propagations[val] {
				return Mount{}, fmt.Errorf("invalid value for %s: %s", key, val)
			}
			m.Propagation = val
		case "tmpfs-size":
			n, err := cgroups.ParseSize(val)
			if err != nil || n < 0 {
				return Mount{}, fmt.Errorf("invalid value for %s: %s", key, val)
			}
			m.Options, tmpfs = append(m.Options, "size="+strconv.FormatInt(n, 10)), append(tmpfs, key)
		case "tmpfs-mode":
			n, err := strconv.ParseUint(val, 8, 32)
			if err != nil || n > 0o7777 {
				return Mount{}, fmt.Errorf("invalid value for %s: %s", key, val)
			}
			m.Options, tmpfs = append(m.Options, "mode="+strconv.FormatUint(n, 8)), append(tmpfs, key)
		default:
			return Mount{}, fmt.Errorf("unexpected key '%s' in '%s'", key, f)
		}
	}
	if err := checkMount(m, tmpfs, volume); err != nil {
		return Mount{}, err
	}
	m.Target = path.Clean(m.Target)
	return m, nil
}

// checkMount checks a --mount's fields together, as Docker's daemon does.
func checkMount(m Mount, tmpfsKeys, volumeKeys []string) error {
	prefix := fmt.Sprintf("invalid mount config for type %q: ", m.Type)
	switch m.Type {
	case TypeBind:
		if m.Source == "" {
			return fmt.Errorf("%sfield Source must not be empty", prefix)
		}
		if !path.IsAbs(m.Source) {
			return fmt.Errorf("%sinvalid mount path: '%s' mount path must be absolute", prefix, m.Source)
		}
	case TypeVolume:
		if m.Source != "" {
			if err := ValidName(m.Source); err != nil {
				return fmt.Errorf("%s%w", prefix, err)
			}
		}
	case TypeTmpfs:
		if m.Source != "" {
			return fmt.Errorf("%sfield Source must not be specified", prefix)
		}
	default:
		return fmt.Errorf("%smount type unknown (bind, volume or tmpfs)", prefix)
	}
	switch {
	case m.Propagation != "" && m.Type != TypeBind:
		return fmt.Errorf("%sfield BindOptions must not be specified", prefix)
	case len(tmpfsKeys) > 0 && m.Type != TypeTmpfs:
		return fmt.Errorf("%sfield TmpfsOptions must not be specified", prefix)
	case len(volumeKeys) > 0 && m.Type != TypeVolume:
		return fmt.Errorf("%sfield VolumeOptions must not be specified", prefix)
	}
	return checkTarget(m)
}

// tmpfsData are the options tmpfs(5) takes as data, key=value.
var tmpfsData = map[string]bool{"size": true, "mode": true, "nr_inodes": true, "nr_blocks": true, "uid": true, "gid": true, "huge": true, "mpol": true}

// ParseTmpfs reads --tmpfs's value: TARGET[:OPTIONS], the options
// mount(8)'s (rw, exec, size=64m, mode=1777, …), comma-separated.
func ParseTmpfs(s string) (Mount, error) {
	target, opts, _ := strings.Cut(s, ":")
	m := Mount{Type: TypeTmpfs, Target: target}
	if err := checkTarget(m); err != nil {
		return Mount{}, err
	}
	m.Target = path.Clean(target)
	if opts == "" {
		return m, nil
	}
	for _, o := range strings.Split(opts, ",") {
		k, _, _ := strings.Cut(o, "=")
		switch {
		case o == "bind" || o == "rbind" || o == "remount":
			return Mount{}, fmt.Errorf("--tmpfs %s: invalid tmpfs option %q", s, o)
		case spec.IsMountOption(o), tmpfsData[k] && strings.Contains(o, "="):
			m.Options = append(m.Options, o)
		default:
			return Mount{}, fmt.Errorf("--tmpfs %s: invalid tmpfs option %q", s, o)
		}
	}
	return m, nil
}
