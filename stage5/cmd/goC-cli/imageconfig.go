package main

// setString is a flag's string that knows whether the flag was given:
// run --entrypoint "" (no entrypoint at all) is not run without it (the
// image's).
type setString struct {
	value string
	set   bool
}

func (s *setString) String() string { return s.value }

// Set takes the flag's value, empty or not.
func (s *setString) Set(v string) error {
	s.value, s.set = v, true
	return nil
}

// Type names the value in --help.
func (s *setString) Type() string { return "string" }
