// Package image keeps container images: each layer unpacked once into a
// content-addressed store (layers/sha256/<digest>), ready to be stacked
// read-only under a container's writable layer with overlayfs, and one
// small JSON file per image naming its layers.
package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/id"
	"goc.dev/shared/reference"
)

// DefaultRoot is where images (and containers' writable layers) live.
const DefaultRoot = "/var/lib/goC"

// Image is one imported image.
type Image struct {
	Name    string    `json:"name"`
	Layers  []string  `json:"layers"` // layer digests, bottom first
	Created time.Time `json:"created"`
	Size    int64     `json:"size"`
	Env     []string  `json:"env,omitempty"`
	Cmd     []string  `json:"cmd,omitempty"`
	Workdir string    `json:"workdir,omitempty"`
	// Entrypoint comes before Cmd (Command); a record without it, of
	// before it was kept, has both in Cmd.
	Entrypoint []string `json:"entrypoint,omitempty"`
	User       string   `json:"user,omitempty"`       // as the image config has it: UID, NAME, UID:GID…
	StopSignal string   `json:"stopSignal,omitempty"` // SIGTERM's stand-in for goC-cli stop
	// Digest is the manifest's (or index's) of a pulled image.
	Digest string `json:"digest,omitempty"`
	// Damaged says why the image cannot be used (List only; not stored).
	Damaged string `json:"-"`
}

// Store is the image store under Root.
type Store struct{ Root string }

// ErrNotExist is an unknown image name.
var ErrNotExist = errors.New("no such image")

// ErrDamaged is an image whose record cannot be read or whose layer is
// gone (issue 17): it cannot run; goC image rm removes it.
var ErrDamaged = errors.New("damaged image")

func (s Store) imagePath(name string) string { return filepath.Join(s.Root, "images", name+".json") }

// LayerDir is where a layer is unpacked.
func (s Store) LayerDir(digest string) string {
	return filepath.Join(s.Root, "layers", strings.ReplaceAll(digest, ":", "/"))
}

// Lock serializes changes to the store: the returned func unlocks.
func (s Store) Lock() (func(), error) { return s.flock(unix.LOCK_EX) }

// SharedLock takes the store's lock shared: pulls run side by side, while
// Remove (which takes it exclusive) cannot delete a layer a pull has
// unpacked but not yet recorded in its image.
func (s Store) SharedLock() (func(), error) { return s.flock(unix.LOCK_SH) }

// flock takes the store's lock file, how (LOCK_EX or LOCK_SH).
func (s Store) flock(how int) (func(), error) {
	if err := os.MkdirAll(filepath.Join(s.Root, "images"), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(s.Root, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// Import reads src — a rootfs directory, a tar or tar.gz of one, or an OCI
// image layout directory or a tar of one — into the store as image name. Progress lines go
// to progress if it is not nil.
func (s Store) Import(name, src string, progress io.Writer) (*Image, error) {
	if err := id.Validate(name); err != nil {
		return nil, fmt.Errorf("invalid image name %q", name)
	}
	unlock, err := s.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(s.imagePath(name)); err == nil {
		return nil, fmt.Errorf("image %s already exists: remove it first (goC image rm %s)", name, name)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", src, errors.Unwrap(err))
	}
	img := &Image{Name: name, Created: time.Now().UTC()}
	switch {
	case fi.IsDir() && exists(filepath.Join(src, "oci-layout")):
		err = s.importOCI(img, src, progress)
	case fi.IsDir():
		err = s.importDir(img, src, progress)
	case isOCITar(src):
		err = s.importOCITar(img, src, progress)
	default:
		err = s.importTar(img, src, progress)
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", src, err)
	}
	b, err := json.MarshalIndent(img, "", "  ")
	if err != nil {
		return nil, err
	}
	return img, atomicfile.Write(s.imagePath(name), b, 0o600)
}

func (s Store) importDir(img *Image, src string, progress io.Writer) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarDir(pw, src)) }()
	d, n, err := s.AddLayer(pr, "", progress, 1, 1)
	pr.Close()
	img.Layers, img.Size = []string{d}, n
	return err
}

func (s Store) importTar(img *Image, src string, progress io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := Decompress(f)
	if err != nil {
		return err
	}
	d, n, err := s.AddLayer(r, "", progress, 1, 1)
	img.Layers, img.Size = []string{d}, n
	return err
}

// Zstd, when set, reads a zstd stream for Decompress. Package
// image/remote, which pulls (registries serve zstd layers), sets it: the
// zstd tables stay out of what only runs containers from the store.
var Zstd func(io.Reader) (io.Reader, error)

// Decompress sees gzip and zstd by their magic numbers.
func Decompress(f io.Reader) (io.Reader, error) {
	br := &peekReader{r: f}
	magic, err := br.peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		return gzip.NewReader(br)
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		if Zstd == nil {
			return nil, errors.New("zstd-compressed: not readable here")
		}
		return Zstd(br)
	}
	return br, nil
}

// AddLayer unpacks one layer, once: a layer already in the store is not
// unpacked again. want is the digest the layer must have ("" to take what
// the stream hashes to).
func (s Store) AddLayer(r io.Reader, want string, progress io.Writer, i, n int) (string, int64, error) {
	if want != "" && exists(s.LayerDir(want)) {
		report(progress, "layer %d/%d %.19s… already present", i, n, want)
		io.Copy(io.Discard, r)
		return want, 0, nil
	}
	tmp, err := os.MkdirTemp(filepath.Join(s.Root, "layers"), ".unpack-")
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Join(s.Root, "layers", "sha256"), 0o700); err != nil {
			return "", 0, err
		}
		tmp, err = os.MkdirTemp(filepath.Join(s.Root, "layers"), ".unpack-")
	}
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", 0, err
	}
	h := sha256.New()
	cr := &countReader{r: io.TeeReader(r, h)}
	files, err := Unpack(cr, tmp)
	if err != nil {
		return "", 0, err
	}
	io.Copy(io.Discard, cr) // tar's end padding counts for the digest
	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if want == "" {
		want = digest
	}
	report(progress, "layer %d/%d %.19s… %d files, %.1f MB", i, n, want, files, float64(cr.n)/1e6)
	dst := s.LayerDir(want)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp, dst); err != nil && !exists(dst) {
		return "", 0, err
	}
	return want, cr.n, nil
}

func report(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// Refusal is goC run's error for name, no directory, that Get refused
// with err: err itself for a damaged image, the path's error for a path
// that is no image reference, else that it is neither.
func Refusal(name string, err error) error {
	if errors.Is(err, ErrDamaged) {
		return err
	}
	if _, perr := reference.Parse(name); perr != nil && strings.Contains(name, "/") {
		_, err := os.Stat(name)
		if err == nil {
			err = &fs.PathError{Err: fs.ErrNotExist}
		}
		return fmt.Errorf("rootfs %s: %w", name, errors.Unwrap(err))
	}
	return fmt.Errorf("%s is neither a rootfs directory nor an image (goC image ls)", name)
}

// Get returns image name: a name given to goC image import, or a
// reference goC image pull stored (busybox finds docker.io/library/busybox:latest).
func (s Store) Get(given string) (*Image, error) {
	name, err := s.resolve(given)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.imagePath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, given)
	}
	if err != nil {
		return nil, err
	}
	var img Image
	if err := json.Unmarshal(b, &img); err != nil {
		return nil, fmt.Errorf("%w %s (remove it): %s: %w", ErrDamaged, name, s.imagePath(name), err)
	}
	for _, l := range img.Layers {
		if !exists(s.LayerDir(l)) {
			return nil, fmt.Errorf("%w %s (remove it): layer %s is gone", ErrDamaged, name, l)
		}
	}
	return &img, nil
}

// resolve is the name image name is stored under: name itself if it is a
// valid import name or a canonical reference with a record, else the
// canonical form of the reference name is.
func (s Store) resolve(name string) (string, error) {
	if id.Validate(name) == nil && exists(s.imagePath(name)) || reference.IsCanonical(name) {
		return name, nil
	}
	if r, err := reference.Parse(name); err == nil {
		return r.String(), nil
	}
	if id.Validate(name) == nil {
		return name, nil
	}
	return "", fmt.Errorf("invalid image name %q", name)
}

// List returns every image, by name.
func (s Store) List() ([]*Image, error) {
	dir := filepath.Join(s.Root, "images")
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if n, ok := strings.CutSuffix(p, ".json"); ok && err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			names = append(names, strings.TrimPrefix(n, dir+"/"))
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var out []*Image
	for _, n := range names {
		img, err := s.Get(n)
		if errors.Is(err, ErrDamaged) {
			slog.Warn("image store", "image", n, "err", err)
			img = &Image{Name: n, Damaged: err.Error()}
		}
		if img != nil {
			out = append(out, img)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Remove deletes the image given names (Find: a name, a reference, a
// digest or an ID prefix) unless inUse says a container uses it, and then
// every layer no image needs any more.
func (s Store) Remove(given string, inUse func(string) bool) error {
	name, err := s.Find(given)
	if err != nil {
		return err
	}
	if inUse != nil && inUse(name) {
		return fmt.Errorf("image %s is used by a container: delete the container first", name)
	}
	unlock, err := s.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.Remove(s.imagePath(name)); err != nil {
		return err
	}
	for d := filepath.Dir(s.imagePath(name)); d != filepath.Join(s.Root, "images"); d = filepath.Dir(d) {
		os.Remove(d) // a pulled image's registry directory, once empty
	}
	keep := map[string]bool{}
	imgs, _ := s.List()
	for _, img := range imgs {
		for _, l := range img.Layers {
			keep[l] = true
		}
	}
	layers, _ := os.ReadDir(filepath.Join(s.Root, "layers", "sha256"))
	for _, l := range layers {
		if d := "sha256:" + l.Name(); !keep[d] {
			if err := os.RemoveAll(s.LayerDir(d)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Lower is the overlayfs lowerdir option for img: top layer first.
func (s Store) Lower(img *Image) string {
	dirs := make([]string, len(img.Layers))
	for i, l := range img.Layers {
		dirs[len(img.Layers)-1-i] = s.LayerDir(l)
	}
	return strings.Join(dirs, ":")
}

// tarDir writes dir as a tar stream.
func tarDir(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	if err := TarTree(tw, dir); err != nil {
		return err
	}
	return tw.Close()
}

// TarTree writes the files below dir into tw, named relative to it, with
// their owners' numbers.
func TarTree(tw *tar.Writer, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return tarEntry(tw, p, rel, fi)
	})
}

// tarEntry writes the file at p, described by fi, into tw as rel.
func tarEntry(tw *tar.Writer, p, rel string, fi fs.FileInfo) error {
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	h, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	h.Name = rel
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		h.Uid, h.Gid = int(st.Uid), int(st.Gid)
		h.Uname, h.Gname = "", ""
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if fi.Mode().IsRegular() {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		f.Close()
		return err
	}
	return nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type peekReader struct {
	r   io.Reader
	buf []byte
}

func (p *peekReader) peek(n int) ([]byte, error) {
	for len(p.buf) < n {
		b := make([]byte, n-len(p.buf))
		m, err := p.r.Read(b)
		p.buf = append(p.buf, b[:m]...)
		if err != nil {
			return p.buf, err
		}
	}
	return p.buf[:n], nil
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	return p.r.Read(b)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
