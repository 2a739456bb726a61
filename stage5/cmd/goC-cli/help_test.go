package main

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestEveryFlagDescribed: every command, cobra's help and completion
// included, says what it does, and every flag it takes (its own and the
// global ones) has a description for --help and the shell completion.
func TestEveryFlagDescribed(t *testing.T) {
	root := newRootCommand()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	commands, flags := 0, 0
	walk = func(c *cobra.Command) {
		commands++
		c.InitDefaultHelpFlag()
		if c.Short == "" {
			t.Errorf("%s: no short description", c.CommandPath())
		}
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.InheritedFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				flags++
				if f.Usage == "" {
					t.Errorf("%s: flag --%s has no description", c.CommandPath(), f.Name)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// goC-cli's 13 commands, help, completion and its 4 shells.
	if commands < 1+13+2+4 {
		t.Errorf("walked %d commands, want at least 20", commands)
	}
	if flags == 0 {
		t.Error("walked no flags")
	}
}
