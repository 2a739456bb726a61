package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// creator makes a container; run's is create with its --pull policy.
type creator func(api.ContainerCreate) (api.Container, error)

// pullingCreate is goCd's create with run's --pull policy, done on the
// client side as docker run does: "missing" creates, and when goCd
// answers 404 for an image it lacks, pulls it (progress to progress) and
// creates again; "always" pulls first; "never" only creates, so an
// absent image is goCd's "no such image". Client-side keeps goCd's create
// one quick call that never waits on a registry, and the pull's progress
// goes to the user who waits for it.
func pullingCreate(cl *client.Client, policy string, progress io.Writer, tty bool) (creator, error) {
	pull := func(ref string) error {
		v := newPullView(progress, tty)
		pc, err := withRegistryAuth(cl, ref) // goC-cli login's credentials (login.go)
		if err == nil {
			_, err = pc.PullProgress(ref, "", v.show)
		}
		return err
	}
	switch policy {
	case "always":
		return func(req api.ContainerCreate) (api.Container, error) {
			if err := pull(req.Image); err != nil {
				return api.Container{}, err
			}
			return cl.Create(req)
		}, nil
	case "never":
		return cl.Create, nil
	case "missing":
		return func(req api.ContainerCreate) (api.Container, error) {
			ct, err := cl.Create(req)
			if !noSuchImage(err) {
				return ct, err
			}
			fmt.Fprintf(progress, "Unable to find image '%s' locally\n", req.Image)
			if err := pull(req.Image); err != nil {
				return api.Container{}, err
			}
			return cl.Create(req)
		}, nil
	}
	return nil, fmt.Errorf(`invalid pull option: '%s': must be one of "always", "missing" or "never"`, policy)
}

// noSuchImage says whether err is goCd's answer for an image it lacks.
func noSuchImage(err error) bool {
	var e *client.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && strings.Contains(e.Message, "no such image")
}
