package remote

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"goc.dev/shared/image"
	"goc.dev/shared/logging"
	"goc.dev/shared/registry"
	"goc.dev/shared/registry/authfile"
)

// Command is "goC image ARGS…" on the store: import NAME SOURCE (with
// progress on stderr when it is a terminal), pull REF (progress lines on
// stderr), push REF, tag IMAGE REF, ls (a table on stdout) and rm IMAGE,
// which refuses an image inUse says a container runs from.
func Command(s image.Store, args []string, inUse func(name string) bool) error {
	if len(args) == 0 {
		return errors.New("image: need import, pull, push, tag, ls or rm")
	}
	switch args[0] {
	case "import":
		if len(args) != 3 {
			return errors.New("image import: need NAME and SOURCE")
		}
		var progress io.Writer
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			progress = os.Stderr
		}
		img, err := s.Import(args[1], args[2], progress)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d layer(s), %.1f MB\n", img.Name, len(img.Layers), float64(img.Size)/1e6)
	case "pull":
		return pullCommand(s, args[1:])
	case "push", "tag":
		return pushCommand(s, args)
	case "ls":
		imgs, err := s.List()
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 8, 1, 3, ' ', 0)
		fmt.Fprintln(w, "NAME\tLAYERS\tSIZE\tCREATED")
		for _, i := range imgs {
			created := i.Created.Format(time.RFC3339)
			if i.Damaged != "" {
				created = "damaged (goC image rm " + i.Name + ")"
			}
			fmt.Fprintf(w, "%s\t%d\t%.1f MB\t%s\n", i.Name, len(i.Layers), float64(i.Size)/1e6, created)
		}
		return w.Flush()
	case "rm":
		if len(args) != 2 {
			return errors.New("image rm: need NAME")
		}
		return s.Remove(args[1], inUse)
	default:
		return fmt.Errorf("image: unknown command %q (import, pull, push, tag, ls, rm)", args[0])
	}
	return nil
}

// pullCommand is "goC image pull [--platform P] [--insecure-registry HOST]…
// [--certs-dir DIR] REF", with the credentials goC-cli login stored.
func pullCommand(s image.Store, args []string) error {
	var o registry.Options
	if creds, err := authfile.Default(); err == nil {
		o.Auth = creds
	}
	fs := flag.NewFlagSet("image pull", flag.ContinueOnError)
	fs.StringVar(&o.CertsDir, "certs-dir", registry.DefaultCertsDir, "")
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.Platform, "platform", "", "")
	fs.Func("insecure-registry", "", func(h string) error { o.Insecure = append(o.Insecure, h); return nil })
	var refs []string
	for {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("image pull: %w", err)
		}
		if fs.NArg() == 0 {
			break
		}
		refs, args = append(refs, fs.Arg(0)), fs.Args()[1:]
	}
	if len(refs) != 1 {
		return errors.New("image pull: need REF")
	}
	img, err := Pull(context.Background(), s, refs[0], o, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d layer(s), %.1f MB, digest %s\n", img.Name, len(img.Layers), float64(img.Size)/1e6, img.Digest)
	return nil
}

// Main is goC-image's: "goC-image [--root DIR] [--data-root DIR] ARGS…",
// which goC's image verb runs in its place with goC's own --root and
// --data-root. inUse says whether a container under root runs from the
// image name. Errors go out as goC's, with status 1.
func Main(args []string, inUse func(root, name string) bool) int {
	fs := flag.NewFlagSet("goC-image", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", "", "")
	dataRoot := fs.String("data-root", image.DefaultRoot, "")
	if err := fs.Parse(args); err != nil {
		return logging.Fail(fmt.Errorf("goC-image: %w", err), 2)
	}
	err := Command(image.Store{Root: *dataRoot}, fs.Args(), func(n string) bool { return inUse(*root, n) })
	if err != nil {
		return logging.Fail(err, 1)
	}
	return 0
}
