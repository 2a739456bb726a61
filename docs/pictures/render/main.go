// Command render draws the pictures of goC's chapters: each Graphviz
// source docs/pictures/NAME.dot becomes NAME.svg in the output directory
// (make pictures, make pictures-check).
//
// Graphviz here is github.com/goccy/go-graphviz, the C library compiled
// to WebAssembly and run by wazero: no cgo, no system package, and one
// version pinned in go.mod, so that every machine draws the same bytes.
// Text is measured with Graphviz's built-in font metrics, not the fonts a
// machine has installed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-graphviz"
)

func main() {
	out := flag.String("o", ".", "directory the SVG files are written to")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: render [-o DIR] FILE.dot…")
		os.Exit(2)
	}
	if err := run(context.Background(), *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

// run renders each source into dir, one Graphviz instance for all.
func run(ctx context.Context, dir string, sources []string) error {
	g, err := graphviz.New(ctx)
	if err != nil {
		return err
	}
	defer g.Close()
	for _, src := range sources {
		svg, err := render(ctx, g, src)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		name := strings.TrimSuffix(filepath.Base(src), ".dot") + ".svg"
		if err := os.WriteFile(filepath.Join(dir, name), svg, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// render lays out one source with dot and returns the SVG.
func render(ctx context.Context, g *graphviz.Graphviz, src string) ([]byte, error) {
	text, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	graph, err := graphviz.ParseBytes(text)
	if err != nil {
		return nil, err
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := g.Render(ctx, graph, graphviz.SVG, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
