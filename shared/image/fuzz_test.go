package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// snapshot describes every file under dir but the subtree skip: its type,
// mode, owner, size, link count, times, link target and content digest. Two
// equal snapshots mean nothing there was created, changed or linked.
func snapshot(t *testing.T, dir, skip string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v %d:%d n=%d %d %d", fi.Mode(), st.Uid, st.Gid, st.Nlink, st.Mtim.Nano(), st.Ctim.Nano())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			desc += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		files[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// outside makes dir/outer with a file, a directory and a symlink an
// extraction could reach for, and returns it with the layer directory
// (empty) inside it.
func outside(t *testing.T) (outer, layer string) {
	outer = t.TempDir()
	layer = filepath.Join(outer, "layer")
	for _, err := range []error{
		os.Mkdir(layer, 0o755),
		os.WriteFile(filepath.Join(outer, "secret"), []byte("host"), 0o600),
		os.Mkdir(filepath.Join(outer, "etc"), 0o755),
		os.WriteFile(filepath.Join(outer, "etc", "passwd"), []byte("root"), 0o644),
		os.Symlink(outer, filepath.Join(outer, "up")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return outer, layer
}

// staysInside checks that no relative symlink in layer climbs above it
// (absolute ones are resolved inside the container's root).
func staysInside(t *testing.T, layer string) {
	t.Helper()
	filepath.WalkDir(layer, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			l, _ := os.Readlink(p)
			rel, _ := filepath.Rel(layer, p)
			if r := path.Join(path.Dir(rel), l); !path.IsAbs(l) && (r == ".." || strings.HasPrefix(r, "../")) {
				t.Errorf("symlink %s -> %s points out of the layer", rel, l)
			}
		}
		return nil
	})
}

// entriesOf reads a layer written as lines "TYPE|NAME|LINK|BODY", TYPE one
// of f d l h c b p (file, dir, symlink, hard link, char, block, fifo). A
// LINK starting "@" names the outer directory: "@/secret" is outer/secret,
// a path on the host an absolute symlink could reach.
func entriesOf(spec, outer string) []byte {
	types := map[string]byte{"f": tar.TypeReg, "d": tar.TypeDir, "l": tar.TypeSymlink, "h": tar.TypeLink, "c": tar.TypeChar, "b": tar.TypeBlock, "p": tar.TypeFifo}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, line := range strings.Split(spec, "\n") {
		f := strings.SplitN(line, "|", 4)
		if len(f) < 4 || types[f[0]] == 0 {
			continue
		}
		link := f[2]
		if strings.HasPrefix(link, "@") {
			link = outer + link[1:]
		}
		h := &tar.Header{Name: f[1], Typeflag: types[f[0]], Mode: 0o700, Linkname: link, Uid: os.Getuid(), Gid: os.Getgid()}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(f[3]))
		}
		if tw.WriteHeader(h) == nil && h.Size > 0 {
			tw.Write([]byte(f[3]))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// FuzzUnpackEntries: whatever the entries, an extraction creates, changes
// and links nothing outside its directory, leaves no symlink there that
// climbs out, and does not panic.
func FuzzUnpackEntries(f *testing.F) {
	for _, s := range []string{
		"d|etc/||\nf|etc/motd||hello\nf|etc/.wh.motd||\nd|opt/||\nf|opt/.wh..wh..opq||",
		"l|link|/||\nf|link/etc/evil||x",
		"l|a/up|../../etc/passwd|",
		"h|hl|../etc/passwd|",
		"l|l|@/etc|\nd|l||",
		"l|s|@/secret|\nh|h|s|",
		"f|.wh...||",
		"d|a||\nf|a/.wh...||",
		"f|a|x|1\nh|b|a|\nl|c|a|\np|d||\nc|e||",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		outer, layer := outside(t)
		before := snapshot(t, outer, layer)
		Unpack(bytes.NewReader(entriesOf(spec, outer)), layer)
		if after := snapshot(t, outer, layer); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("outside the layer, before:\n%v\nafter:\n%v", before, after)
		}
		staysInside(t, layer)
	})
}

// FuzzImportTar: any bytes as an image tar (gzipped or not). Accepted: one
// layer, under the store, nothing changed outside the store. Refused:
// nothing left in the store (no image, no layer, no unpack directory).
func FuzzImportTar(f *testing.F) {
	f.Add(tarOf(nil, entry{Name: "etc/", Type: tar.TypeDir}, entry{Name: "etc/motd", Body: "hi", Type: tar.TypeReg}))
	f.Add(tarOf(nil, entry{Name: "../evil", Body: "x", Type: tar.TypeReg}))
	f.Add(tarOf(nil, entry{Name: "a", Link: "/", Type: tar.TypeSymlink}, entry{Name: "a/b", Type: tar.TypeDir}))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		outer, root := outside(t)
		src := filepath.Join(outer, "image.tar")
		if err := os.WriteFile(src, data, 0o600); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, outer, root)
		s := Store{Root: root}
		img, err := s.Import("img", src, nil)
		if after := snapshot(t, outer, root); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("outside the store, before:\n%v\nafter:\n%v", before, after)
		}
		if err == nil {
			if len(img.Layers) != 1 || !exists(s.LayerDir(img.Layers[0])) {
				t.Fatalf("accepted image %+v: its layer is not in the store", img)
			}
			staysInside(t, s.LayerDir(img.Layers[0]))
			return
		}
		leftInStore(t, s)
	})
}

// leftInStore fails if a refused import left an image, a layer or an
// unpack directory in s.
func leftInStore(t *testing.T, s Store) {
	t.Helper()
	for _, pattern := range []string{"images/*", "layers/.unpack-*", "layers/sha256/*"} {
		if m, _ := filepath.Glob(filepath.Join(s.Root, pattern)); len(m) > 0 {
			t.Fatalf("a refused import left %v", m)
		}
	}
}

// putBlob stores b in layout dir under its sha256 digest and returns it.
func putBlob(t *testing.T, dir string, b []byte) string {
	sum := sha256.Sum256(b)
	d := fmt.Sprintf("%x", sum)
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", d), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return "sha256:" + d
}

// fuzzLayout writes an OCI layout from fuzzed JSON: in config, manifest
// and index, "@c", "@l" and "@m" stand for the digests of the config, a
// good layer and the manifest, "@x" for a digest whose blob content does
// not match it. It returns the digest "@x" stands for.
func fuzzLayout(t *testing.T, dir string, index, manifest, config string) string {
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := putBlob(t, dir, []byte("original"))
	os.WriteFile(blobPath(dir, bad), tarOf(t, entry{Name: "tampered", Body: "x", Type: tar.TypeReg}), 0o644)
	layer := putBlob(t, dir, tarOf(t, entry{Name: "ok", Body: "1", Type: tar.TypeReg}))
	r := strings.NewReplacer("@x", bad, "@l", layer)
	r = strings.NewReplacer("@x", bad, "@l", layer, "@c", putBlob(t, dir, []byte(r.Replace(config))))
	r = strings.NewReplacer("@x", bad, "@m", putBlob(t, dir, []byte(r.Replace(manifest))))
	os.WriteFile(filepath.Join(dir, "index.json"), []byte(r.Replace(index)), 0o644)
	os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
	return bad
}

// FuzzImportOCI: an OCI layout with fuzzed index, manifest and config.
// Nothing outside the store changes; an accepted image's layers are sha256
// digests in the store, never the tampered blob's; a refused one leaves
// nothing in the store.
func FuzzImportOCI(f *testing.F) {
	idx := `{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@m"}]}`
	f.Add(idx, `{"config":{"digest":"@c"},"layers":[{"digest":"@l"}]}`, `{"config":{"Cmd":["sh"]}}`)
	f.Add(idx, `{"config":{"digest":"@c"},"layers":[{"digest":"@x"}]}`, `{}`)
	f.Add(idx, `{"config":{"digest":"@x"},"layers":[]}`, `{}`)
	f.Add(idx, `{"layers":[{"digest":"@l"},{"digest":"@x"}]}`, `{}`)
	f.Add(`{"manifests":[{"digest":"@x"}]}`, `{}`, `{}`)
	f.Add(`{"manifests":[{"digest":"sha256:../../secret"}]}`, `{}`, `{}`)
	f.Add(idx, `{"layers":[{"digest":"sha256:../../../up/evil"}]}`, `{}`)
	f.Add(`{"manifests":[{"mediaType":"image.index","digest":"@m"}]}`, `{"manifests":[{"digest":"@m"}]}`, `{}`)
	f.Fuzz(func(t *testing.T, index, manifest, config string) {
		outer, root := outside(t)
		bad := fuzzLayout(t, filepath.Join(outer, "layout"), index, manifest, config)
		before := snapshot(t, outer, root)
		s := Store{Root: root}
		img, err := s.Import("img", filepath.Join(outer, "layout"), nil)
		if after := snapshot(t, outer, root); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("outside the store, before:\n%v\nafter:\n%v", before, after)
		}
		if err != nil {
			leftInStore(t, s)
			return
		}
		for _, l := range img.Layers {
			if !isDigest(l) || l == bad || !exists(s.LayerDir(l)) {
				t.Fatalf("accepted layer %q (tampered blob %s)", l, bad)
			}
		}
	})
}
