// Command goC-cli is goCd's thin client: every command is one or two API
// requests. It imports no container code, only api and client (a test
// checks that).
//
//	goC-cli [--socket PATH] run [-d] [--rm] [--name N] [-e K=V] [-w DIR] [--memory M] [--cpu N] [--pids N] [--network MODE] [-p H:C] IMAGE CMD…
//	goC-cli ps [-a] | logs [-f] C | stop C | kill [-s SIG] C | rm [-f] C | inspect C | wait C
//	goC-cli images | import NAME ARCHIVE | rmi NAME | version | info
//
// Which goCd: --socket PATH (GOC_SOCKET), or -H unix:///PATH or -H
// tcp://HOST:PORT (GOC_HOST) with --tlsverify --tlscacert CA --tlscert CERT
// --tlskey KEY (GOC_TLS_VERIFY, GOC_TLS_CACERT, GOC_TLS_CERT, GOC_TLS_KEY).
//
// run's network is bridge unless --network host|none, and its container is
// confined as Docker's are unless its flags, Docker's, say otherwise:
// [--privileged] [--cap-add CAP] [--cap-drop CAP] [--security-opt
// seccomp=unconfined|FILE] [--security-opt no-new-privileges] [--read-only]
// [-u|--user UID[:GID]] (security.go).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

type strs []string

func (s *strs) String() string     { return strings.Join(*s, ",") }
func (s *strs) Set(v string) error { *s = append(*s, v); return nil }

func run(args []string) int {
	gl, args, err := parseGlobals(args)
	if err != nil || len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: goC-cli [--socket PATH | -H unix:///PATH|tcp://HOST:PORT --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY] run|ps|logs|stop|kill|rm|inspect|wait|images|import|rmi|version|info …")
		return 2
	}
	c, err := gl.client()
	if err != nil {
		fmt.Fprintln(os.Stderr, "goC-cli:", err)
		return 1
	}
	verb, rest := args[0], args[1:]
	status := 0
	switch verb {
	case "run":
		status, err = cmdRun(c, rest)
	case "ps":
		err = cmdPs(c, rest, gl.format)
	case "logs":
		fs := flags("logs")
		follow := fs.Bool("f", false, "")
		if err = fs.Parse(rest); err == nil {
			err = one(fs, func(ref string) error { return c.Logs(ref, *follow, os.Stdout) })
		}
	case "stop":
		fs := flags("stop")
		t := fs.Int("t", 10, "")
		if err = fs.Parse(rest); err == nil {
			err = one(fs, func(ref string) error { _, err := c.Stop(ref, *t); return err })
		}
	case "kill":
		fs := flags("kill")
		sig := fs.String("s", "KILL", "")
		if err = fs.Parse(rest); err == nil {
			err = one(fs, func(ref string) error { return c.Kill(ref, *sig) })
		}
	case "rm":
		fs := flags("rm")
		force := fs.Bool("f", false, "")
		if err = fs.Parse(rest); err == nil {
			err = one(fs, func(ref string) error { return c.Remove(ref, *force) })
		}
	case "inspect":
		err = one(parsed(rest), func(ref string) error {
			ct, err := c.Inspect(ref)
			if err == nil {
				err = printJSON(ct)
			}
			return err
		})
	case "wait":
		err = one(parsed(rest), func(ref string) error {
			code, err := c.Wait(ref)
			if err == nil {
				fmt.Println(code)
			}
			return err
		})
	case "images":
		err = cmdImages(c, gl.format)
	case "import":
		err = cmdImport(c, rest)
	case "rmi":
		err = one(parsed(rest), c.RemoveImage)
	case "version":
		var v api.VersionInfo
		if v, err = c.Version(); err == nil {
			err = printJSON(v)
		}
	case "info":
		var i api.Info
		if i, err = c.Info(); err == nil {
			err = printJSON(i)
		}
	default:
		err = fmt.Errorf("unknown command %q", verb)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goC-cli:", err)
		if status == 0 {
			status = 1
		}
	}
	return status
}

func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parsed(args []string) *flag.FlagSet {
	fs := flags("")
	_ = fs.Parse(args)
	return fs
}

func one(fs *flag.FlagSet, f func(string) error) error {
	if fs.NArg() != 1 {
		return errors.New("need exactly one container")
	}
	return f(fs.Arg(0))
}

// cmdRun creates a container and, unless detached, streams its output and
// exits with its exit code.
func cmdRun(c *client.Client, args []string) (int, error) {
	req, detach, err := runRequest(args, os.ReadFile)
	if err != nil {
		return 125, err
	}
	ct, err := c.Create(req)
	if err != nil {
		return 125, err
	}
	if detach {
		fmt.Println(ct.ID)
		return 0, nil
	}
	// Attached: ^C stops the container rather than goC-cli.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for range sig {
			_, _ = c.Stop(ct.ID, 10)
		}
	}()
	if err := c.Logs(ct.ID, true, os.Stdout); err != nil {
		return 125, err
	}
	code, err := c.Wait(ct.ID) // with --rm, goCd removes it once it has exited
	if err != nil {
		return 125, err
	}
	return code, nil
}

// runRequest parses run's flags into the request it sends, and tells
// whether to detach. The network is bridge unless --network says
// otherwise, as Docker's; readFile reads a seccomp profile.
func runRequest(args []string, readFile func(string) ([]byte, error)) (api.ContainerCreate, bool, error) {
	fs := flags("run")
	detach := fs.Bool("d", false, "")
	rm := fs.Bool("rm", false, "")
	var req api.ContainerCreate
	var env, ports strs
	var sec securityFlags
	fs.StringVar(&req.Name, "name", "", "")
	fs.Var(&env, "e", "")
	fs.StringVar(&req.Workdir, "w", "", "")
	fs.StringVar(&req.Memory, "memory", "", "")
	fs.StringVar(&req.CPU, "cpu", "", "")
	fs.IntVar(&req.Pids, "pids", 0, "")
	fs.StringVar(&req.Network, "network", api.NetworkBridge, "")
	fs.Var(&ports, "p", "")
	sec.register(fs, &req)
	if err := fs.Parse(args); err != nil {
		return req, false, fmt.Errorf("run: %w", err)
	}
	if fs.NArg() < 1 {
		return req, false, errors.New("run: need an image and a command")
	}
	req.Image, req.Cmd, req.Env, req.Ports, req.AutoRemove, req.Attach = fs.Arg(0), fs.Args()[1:], env, ports, *rm, !*detach
	return req, *detach, sec.apply(&req, readFile)
}

func cmdPs(c *client.Client, args []string, format string) error {
	fs := flags("ps")
	all := fs.Bool("a", false, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cs, err := c.List(*all)
	if err != nil {
		return err
	}
	if format == "json" {
		return printJSON(cs)
	}
	w := tabwriter.NewWriter(os.Stdout, 8, 1, 3, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tIMAGE\tSTATUS\tIP\tCOMMAND")
	for _, ct := range cs {
		st := ct.Status
		if ct.ExitCode != nil {
			st = fmt.Sprintf("exited (%d)", *ct.ExitCode)
		}
		fmt.Fprintf(w, "%.12s\t%s\t%s\t%s\t%s\t%s\n", ct.ID, ct.Name, ct.Image, st, ct.IP, strings.Join(ct.Cmd, " "))
	}
	return w.Flush()
}

func cmdImages(c *client.Client, format string) error {
	imgs, err := c.Images()
	if err != nil {
		return err
	}
	if format == "json" {
		return printJSON(imgs)
	}
	w := tabwriter.NewWriter(os.Stdout, 8, 1, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tLAYERS\tSIZE\tCREATED")
	for _, i := range imgs {
		fmt.Fprintf(w, "%s\t%d\t%.1f MB\t%s\n", i.Name, i.Layers, float64(i.Size)/1e6, i.Created.Format(time.RFC3339))
	}
	return w.Flush()
}

// cmdImport streams an archive (or stdin, "-") to goCd, with a progress
// bar when stderr is a terminal.
func cmdImport(c *client.Client, args []string) error {
	if len(args) != 2 {
		return errors.New("import: need NAME and an archive (tar, tar.gz, or - for stdin)")
	}
	f, size := os.Stdin, int64(-1)
	if args[1] != "-" {
		var err error
		if f, err = os.Open(args[1]); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	var body io.Reader = f
	var bar *progress
	if isTerminal(os.Stderr) {
		bar = newProgress(f, size, args[0], os.Stderr)
		body = bar
	}
	img, err := c.Import(args[0], body)
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d layer(s), %.1f MB\n", img.Name, img.Layers, float64(img.Size)/1e6)
	return nil
}

func printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
