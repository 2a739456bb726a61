package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/process"
)

// An image's configuration (its Entrypoint, Cmd, Env, WorkingDir, User
// and StopSignal) is what a container of it runs by default, as Docker's.

// SetConfig keeps the parts of an image's configuration goC honours.
func (img *Image) SetConfig(env, entrypoint, cmd []string, workdir, user, stopSignal string) {
	img.Env, img.Entrypoint, img.Cmd, img.Workdir = env, entrypoint, cmd, workdir
	img.User, img.StopSignal = user, stopSignal
}

// Command is what a container of img runs, as Docker has it: the image's
// Entrypoint followed by args, or by the image's Cmd when there are no
// args. entrypoint, if not nil, replaces the image's Entrypoint and drops
// its Cmd; [""] (docker run --entrypoint "") is no entrypoint at all. A
// record written before Entrypoint was kept has the pair in Cmd, and runs
// as before. img may be nil (a rootfs directory: args alone).
func (img *Image) Command(entrypoint *[]string, args []string) []string {
	ep, cmd := img.Parts(entrypoint, args)
	if len(ep)+len(cmd) == 0 {
		return nil
	}
	return append(append([]string(nil), ep...), cmd...)
}

// Parts is Command in its two parts: the entrypoint and the command that
// follows it (nil for none).
func (img *Image) Parts(entrypoint *[]string, args []string) (ep, cmd []string) {
	if img != nil {
		ep, cmd = img.Entrypoint, img.Cmd
	}
	if entrypoint != nil {
		ep, cmd = *entrypoint, nil
		if len(ep) == 1 && ep[0] == "" {
			ep = nil
		}
	}
	if len(args) > 0 {
		cmd = args
	}
	return clip(ep), clip(cmd)
}

// clip is a copy of s, nil if it is empty.
func clip(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// StopSignal checks a stop signal as an image or docker run --stop-signal
// gives it (SIGQUIT, QUIT, 3) and returns its name ("" for none).
func StopSignal(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	sig, err := process.ParseSignal(s)
	if err != nil || sig == 0 {
		return "", fmt.Errorf("invalid stop signal %q", s)
	}
	if n := unix.SignalName(sig); n != "" {
		return n, nil
	}
	return strconv.Itoa(int(sig)), nil
}

// maxEtcFile bounds what User reads of the image's /etc/passwd or
// /etc/group: the image's author wrote them.
const maxEtcFile = 1 << 20

// User resolves user, as docker run --user or an image's User gives it
// (UID, UID:GID, NAME, NAME:GROUP, or a mix), to "UID:GID" by the image's
// own /etc/passwd and /etc/group ("" for ""). As Docker: a user without a
// group takes its passwd entry's, or 0 for a UID passwd does not know. A
// name that does not resolve is an error.
func (s Store) User(img *Image, user string) (string, error) {
	if user == "" {
		return "", nil
	}
	u, g, hasGroup := strings.Cut(user, ":")
	if u == "" || hasGroup && (g == "" || strings.Contains(g, ":")) {
		return "", fmt.Errorf("invalid user %q: want UID, NAME, UID:GID or NAME:GROUP", user)
	}
	uid, gid, err := s.lookup(img, "passwd", u, "user")
	if err != nil {
		return "", err
	}
	if hasGroup {
		if gid, _, err = s.lookup(img, "group", g, "group"); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d:%d", uid, gid), nil
}

// lookup finds name (a number, or a name in the image's /etc/FILE) in
// FILE's entries "name:x:ID:ID2:…" and returns its ID and ID2 (passwd:
// its group; a number passwd does not know has group 0).
func (s Store) lookup(img *Image, file, name, what string) (id, id2 uint32, err error) {
	n, numErr := strconv.ParseUint(name, 10, 32)
	if strings.Trim(name, "0123456789") == "" && (numErr != nil || n == 1<<32-1) {
		return 0, 0, fmt.Errorf("%s %q: out of range (at most 4294967294)", what, name)
	}
	b, err := s.etcFile(img, file)
	if err != nil && (numErr != nil || !errors.Is(err, fs.ErrNotExist)) {
		return 0, 0, fmt.Errorf("%s %q: the image's /etc/%s: %w", what, name, file, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 || numErr != nil && f[0] != name || numErr == nil && f[2] != name {
			continue
		}
		id, err1 := strconv.ParseUint(f[2], 10, 32)
		var id2 uint64
		var err2 error
		if len(f) > 3 && file == "passwd" {
			id2, err2 = strconv.ParseUint(f[3], 10, 32)
		}
		if err1 == nil && err2 == nil {
			return uint32(id), uint32(id2), nil
		}
	}
	if numErr == nil {
		return uint32(n), 0, nil
	}
	return 0, 0, fmt.Errorf("%s %q: no such %s in the image's /etc/%s", what, name, what, file)
}

// etcFile reads etc/NAME of img: the topmost layer's that has one. A
// layer's file is opened inside the layer, symlinks resolved there and
// never out of it (openat2's RESOLVE_IN_ROOT); a whiteout, a directory or
// anything else not a regular file in a higher layer hides the lower ones.
func (s Store) etcFile(img *Image, name string) ([]byte, error) {
	for i := len(img.Layers) - 1; i >= 0; i-- {
		b, err := readIn(s.LayerDir(img.Layers[i]), "etc/"+name)
		if errors.Is(err, errHidden) {
			return nil, fs.ErrNotExist
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return b, err
		}
	}
	return nil, fs.ErrNotExist
}

// errHidden is a layer's etc file that is not a regular file: a whiteout
// (a character device 0:0) hides the lower layers' file.
var errHidden = errors.New("not a regular file")

// readIn reads the regular file path inside root, at most maxEtcFile bytes.
func readIn(root, path string) ([]byte, error) {
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rfd)
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV}
	pfd, err := unix.Openat2(rfd, path, how)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: "/" + path, Err: err}
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG { // never opened for reading: a device, a FIFO
		return nil, errHidden
	}
	f, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", pfd)) // the file found, not its path again
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(f, maxEtcFile+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxEtcFile {
		return nil, fmt.Errorf("/%s: larger than %d bytes", path, maxEtcFile)
	}
	return buf.Bytes(), nil
}
