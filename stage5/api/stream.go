package api

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// An attached stream without a terminal carries stdout and stderr on one
// connection, multiplexed as Docker's (its "stdcopy" format), so that they
// stay apart: each frame is an 8-byte header — the stream (1 stdout,
// 2 stderr), three zero bytes, the payload's length as a big-endian
// uint32 — and the payload. With a terminal there is one stream, raw.
const (
	Stdout byte = 1
	Stderr byte = 2
)

// frameHeader is the length of a frame's header.
const frameHeader = 8

// maxFrame bounds a frame's payload, as read: a larger length is not a
// stream of this format.
const maxFrame = 1 << 20

// Muxer writes frames to one connection from several streams; each
// Write is one frame, whole, whatever the other streams write meanwhile.
type Muxer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewMuxer multiplexes onto w.
func NewMuxer(w io.Writer) *Muxer { return &Muxer{w: w} }

// Stream is the writer of stream id (Stdout or Stderr).
func (m *Muxer) Stream(id byte) io.Writer { return streamWriter{m, id} }

type streamWriter struct {
	m  *Muxer
	id byte
}

func (s streamWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	frame := make([]byte, frameHeader+len(p))
	frame[0] = s.id
	binary.BigEndian.PutUint32(frame[4:frameHeader], uint32(len(p)))
	copy(frame[frameHeader:], p)
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if _, err := s.m.w.Write(frame); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Demux copies the frames of r to stdout and stderr, by their stream,
// until r ends (nil at a frame's boundary; io.ErrUnexpectedEOF within
// one) or a write fails.
func Demux(stdout, stderr io.Writer, r io.Reader) error {
	var h [frameHeader]byte
	for {
		if _, err := io.ReadFull(r, h[:]); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("stream: %w", err)
		}
		n := binary.BigEndian.Uint32(h[4:])
		var w io.Writer
		switch {
		case h[1] != 0 || h[2] != 0 || h[3] != 0 || n > maxFrame:
			return fmt.Errorf("stream: bad frame header % x", h)
		case h[0] == Stdout:
			w = stdout
		case h[0] == Stderr:
			w = stderr
		default:
			return fmt.Errorf("stream: unknown stream %d", h[0])
		}
		if _, err := io.CopyN(w, r, int64(n)); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("stream: %w", err)
		}
	}
}
