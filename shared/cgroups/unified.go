package cgroups

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// ValidateUnified checks linux.resources.unified's keys as runc does: each
// is the name of an interface file, CONTROLLER.PARAMETER ("memory.max"),
// never a path, so that no key reaches outside the container's cgroup.
func ValidateUnified(u map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(u)) {
		controller, param, ok := strings.Cut(k, ".")
		switch {
		case strings.ContainsRune(k, '/'):
			return fmt.Errorf("linux.resources.unified: key %q must be a file name (no slashes)", k)
		case !ok || controller == "" || param == "":
			return fmt.Errorf("linux.resources.unified: key %q is not in the form CONTROLLER.PARAMETER", k)
		}
	}
	return nil
}

// setUnified writes linux.resources.unified into the container's v2 cgroup
// dir, key by key in order, after every other limit (as runc does, so that
// a key can override one). A key that is no interface file there names
// its controller when the cgroup lacks it.
func setUnified(dir string, u map[string]string) error {
	if err := ValidateUnified(u); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(u)) {
		err := write(dir, k, u[k])
		if errors.Is(err, os.ErrNotExist) {
			if c, _, _ := strings.Cut(k, "."); c != "cgroup" && !controllers(dir, "cgroup.controllers")[c] {
				return unavailable("linux.resources.unified: "+k, c)
			}
		}
		if err != nil {
			return fmt.Errorf("linux.resources.unified: %w", err)
		}
	}
	return nil
}
