// Package logging sets up goC's logger (log/slog's default) the way runc's
// callers expect it: warnings and errors on stderr, or, with --log FILE,
// every record in FILE, as text or as JSON, with runc's (logrus's)
// lower-case level names (level=debug, {"level":"debug"}). Container managers read the last "error" record
// of that file as the reason a command failed: Error writes it.
package logging

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Options are runc's logging flags.
type Options struct {
	File   string // --log: log there instead of stderr ("" for stderr)
	Format string // --log-format: text or json (the file's; stderr gets text)
	Debug  bool   // --debug: debug records too, not only warnings and errors
}

// Flags registers runc's logging flags on fs, to fill in o.
func (o *Options) Flags(fs *flag.FlagSet) {
	fs.StringVar(&o.File, "log", "", "")
	fs.StringVar(&o.Format, "log-format", "text", "")
	fs.BoolVar(&o.Debug, "debug", false, "")
}

// toFile is set while Setup's log file is open: Error writes there too.
var toFile bool

// Setup makes slog's default logger log as o says, and returns what closes
// its file.
func Setup(o Options) (closeLog func(), err error) {
	level := slog.LevelWarn
	if o.Debug {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: lowerCaseLevel}
	if o.Format != "text" && o.Format != "json" {
		return func() {}, fmt.Errorf("--log-format %q: use text or json", o.Format)
	}
	if o.File == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, opts)))
		return func() {}, nil
	}
	f, err := os.OpenFile(o.File, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return func() {}, fmt.Errorf("--log: %w", err)
	}
	var h slog.Handler
	if o.Format == "json" {
		h = slog.NewJSONHandler(f, opts)
	} else {
		h = slog.NewTextHandler(f, opts)
	}
	slog.SetDefault(slog.New(h))
	toFile = true
	return func() { toFile = false; f.Close() }, nil
}

// lowerCaseLevel writes level=error and {"time":…,"level":"error","msg":…}:
// lower-case levels, as runc (logrus) writes them and managers match them.
func lowerCaseLevel(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.LevelKey {
		return slog.String(slog.LevelKey, strings.ToLower(a.Value.String()))
	}
	return a
}

// Fail reports err as Error does and returns status, the one goC exits
// with for it.
func Fail(err error, status int) int {
	Error(err)
	return status
}

// Error tells goC's user that err stopped it: on stderr, as "goC: err",
// and as an error record in the log file, if Setup opened one.
func Error(err error) {
	fmt.Fprintln(os.Stderr, "goC:", err)
	if toFile {
		slog.Error(err.Error())
	}
}
