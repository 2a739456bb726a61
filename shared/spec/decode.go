package spec

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
)

// decode reads one JSON value of type T from r, ignoring the properties T
// does not know, as the runtime-spec requires ("an implementation MUST NOT
// generate an error if it encounters an unknown property"): a config.json
// may be written for a newer spec. The first is logged, at debug level, for
// whoever looks for a typo. Values of the wrong type are still errors.
func decode[T any](r io.Reader, what string) (T, error) {
	var v T
	b, err := io.ReadAll(r)
	if err != nil {
		return v, err
	}
	strict := json.NewDecoder(bytes.NewReader(b))
	strict.DisallowUnknownFields()
	err = strict.Decode(&v)
	if err == nil || !strings.HasPrefix(err.Error(), "json: unknown field") {
		return v, err
	}
	slog.Debug(what+": unknown property ignored", "err", err)
	var lenient T // again: an error after the unknown property went unreported
	err = json.NewDecoder(bytes.NewReader(b)).Decode(&lenient)
	return lenient, err
}
