package main

import (
	"github.com/spf13/cobra"
)

// The shell completion of names asks goCd: the containers' names (all of
// them, as ps -a lists them) and the images'. When goCd does not answer,
// nothing completes; the shell never shows an error.

// completeContainers completes a container's name.
func completeContainers(gl *globals) cobra.CompletionFunc {
	return completeFirst(func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		if c, err := gl.client(); err == nil {
			cs, _ := c.List(true)
			for _, ct := range cs {
				names = append(names, ct.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// completeImages completes an image's name.
func completeImages(gl *globals) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		if c, err := gl.client(); err == nil {
			imgs, _ := c.Images()
			for _, i := range imgs {
				names = append(names, i.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFirst completes the first argument with f, and no other (run's
// command, for one, is the container's, which goC-cli cannot know).
func completeFirst(f cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f(c, args, toComplete)
	}
}
