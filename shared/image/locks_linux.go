package image

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// LayerLock takes the lock of one layer's pull, a file under .pulls that
// any process pulling that layer takes (goC image pull and goCd may pull
// at once), so a second pull of the layer waits for the first and then
// finds it in the store. waiting is called when another pull holds it.
// The file is removed on unlock; a locker that finds its file removed
// meanwhile takes the lock again on a new one.
func (s Store) LayerLock(digest string, waiting func()) (func(), error) {
	dir := filepath.Join(s.Root, ".pulls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, strings.TrimPrefix(digest, "sha256:"))
	for {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if errors.Is(err, unix.EWOULDBLOCK) {
			waiting()
			err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		var held, now unix.Stat_t
		if unix.Fstat(int(f.Fd()), &held) == nil && unix.Stat(p, &now) == nil && held.Ino == now.Ino {
			return func() { os.Remove(p); f.Close() }, nil
		}
		f.Close() // its holder removed it: lock the new one
	}
}
