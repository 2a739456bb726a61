package process

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

var chdir = unix.Chdir // tests replace it

// Chdir enters the workload's working directory while the process is still
// root with all its capabilities, before the user is set, as runc does: so
// root without CAP_DAC_OVERRIDE, say, still gets into another user's 0700
// directory. A missing one is made (as Docker does). One root may not
// enter (EACCES, EPERM: root squashed on NFS, say) is left for again,
// which the caller runs once the user is set: the user may.
func Chdir(dir string) (again func() error, err error) {
	err = chdir(dir)
	if errors.Is(err, unix.ENOENT) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
		err = chdir(dir)
	}
	done := func() error { return nil }
	switch {
	case err == nil:
		return done, nil
	case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
		return func() error {
			if err := chdir(dir); err != nil {
				return &os.PathError{Op: "chdir", Path: dir, Err: err}
			}
			return nil
		}, nil
	}
	return nil, &os.PathError{Op: "chdir", Path: dir, Err: err}
}
