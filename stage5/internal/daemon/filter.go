package daemon

import (
	"fmt"
	"regexp"
	"strings"

	"goc.dev/stage5/api"
)

// GET /containers?filter=KEY=VALUE…: ps --filter, as Docker's. Values of
// one key are alternatives, but labels, which must all be there; different
// keys must all match.

// filters are a list request's filters, by key.
type filters map[string][]string

// statuses are the values of a status filter.
var statuses = map[string]bool{api.StatusRunning: true, api.StatusExited: true, api.StatusDead: true, api.StatusPaused: true}

// parseFilters reads KEY=VALUE filters: status (running, exited, dead,
// paused), name (a regular expression), label (KEY or KEY=VALUE), id (a
// prefix).
func parseFilters(in []string) (filters, error) {
	f := filters{}
	for _, s := range in {
		k, v, ok := strings.Cut(s, "=")
		switch {
		case !ok || v == "":
			return nil, bad("invalid filter %q: want status=, name=, label=, id=", s)
		case k == "status" && !statuses[v]:
			return nil, bad("invalid filter %q: a status is running, paused, exited or dead", s)
		case k == "name":
			if _, err := regexp.Compile(v); err != nil {
				return nil, bad("invalid filter %q: %v", s, err)
			}
		case k != "status" && k != "label" && k != "id":
			return nil, bad("invalid filter %q: want status=, name=, label=, id=", s)
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

// match tells whether ct passes every filter.
func (f filters) match(ct *api.Container) bool {
	for k, vs := range f {
		n := 0
		for _, v := range vs {
			if matchOne(k, v, ct) {
				n++
			}
		}
		if n == 0 || (k == "label" && n < len(vs)) {
			return false
		}
	}
	return true
}

func matchOne(key, v string, ct *api.Container) bool {
	switch key {
	case "status": // a paused container runs, but is not "running"
		if v == api.StatusPaused {
			return ct.Paused
		}
		return ct.Status == v && !ct.Paused
	case "name":
		return regexp.MustCompile(v).MatchString(ct.Name)
	case "id":
		return strings.HasPrefix(ct.ID, v)
	case "label":
		lk, lv, withValue := strings.Cut(v, "=")
		got, has := ct.Labels[lk]
		return has && (!withValue || got == lv)
	}
	panic(fmt.Sprintf("filter %q", key)) // parseFilters lets no other key through
}
