package process

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// Forwarded are the signals goC passes on to the workload.
var Forwarded = []os.Signal{unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2}

// Forward sends every signal in Forwarded that goC receives to pid until
// stop is called. goC itself then no longer dies of them: the workload
// decides, and goC ends when it does.
func Forward(pid int) (stop func()) {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, Forwarded...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				_ = unix.Kill(pid, s.(unix.Signal))
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
