// Command standin plays the upstream images the Kubernetes CRI validation
// suite (critest) pulls, offline: its name (the file it is installed as)
// says which.
//
//	pause       the pod sandbox: sleeps until SIGTERM or SIGINT, reaping
//	            orphans (it is PID 1 of a pod's shared PID namespace)
//	nginx       the web server of the nginx:1.14-2 and hostnet-nginx images:
//	            "nginx: master process …" in /proc/self/cmdline (critest
//	            looks for it at PID 1), /var/run/nginx.pid, a page on $PORT
//	            (80 unless set)
//	httpd       httpd:2.4.39-4: a first log line naming httpd, a page on port 80
//	nonewprivs  nonewprivs:1.3, installed setuid root: prints its effective
//	            uid, 0 unless no_new_privs kept the setuid bit from working
package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// master is the command line nginx shows for its master process.
const master = "nginx: master process nginx -g daemon off;"

func main() {
	var err error
	switch name := filepath.Base(os.Args[0]); {
	case name == "pause":
		pause()
	case strings.HasPrefix(name, "nginx"):
		err = nginx()
	case name == "httpd-foreground":
		fmt.Println("httpd (goC's stand-in) serving on port 80")
		err = serve("80")
	case name == "nonewprivs":
		fmt.Printf("Effective uid: %d\n", os.Geteuid())
	default:
		err = fmt.Errorf("standin: no part named %q", name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func pause() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	reap := make(chan os.Signal, 1)
	signal.Notify(reap, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			return
		case <-reap:
			for {
				if pid, _ := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); pid <= 0 {
					break
				}
			}
		}
	}
}

// nginx re-executes itself under nginx's master-process name (its comm
// stays "nginx", the file's name, for pidof), then writes its PID file and
// serves.
func nginx() error {
	if os.Args[0] != master {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		return syscall.Exec(self, []string{master}, os.Environ())
	}
	if err := os.MkdirAll("/var/run", 0o755); err != nil {
		return err
	}
	if err := os.WriteFile("/var/run/nginx.pid", fmt.Appendf(nil, "%d\n", os.Getpid()), 0o644); err != nil {
		return err
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "80"
	}
	return serve(port)
}

func serve(port string) error {
	page := func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Welcome to goC's stand-in web server") }
	return http.ListenAndServe(":"+port, http.HandlerFunc(page)) //nolint:gosec // a test server, no timeouts needed
}
