package filter

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"golang.org/x/sys/unix"
)

// sockFilterSize is the size of the kernel's struct sock_filter: code
// (16 bits), jt and jf (8 each), k (32).
const sockFilterSize = 8

// MarshalJSON writes p with its filter as one string, the base64 of the
// instructions' bytes (struct sock_filter, host order), rather than an
// object per instruction: Docker's default profile is some 600
// instructions, which goC sends to the init at every start and the init
// decodes before anything else, by reflection, one field at a time.
func (p Program) MarshalJSON() ([]byte, error) {
	type plain Program
	raw := make([]byte, 0, len(p.Filter)*sockFilterSize)
	for _, in := range p.Filter {
		raw = binary.NativeEndian.AppendUint16(raw, in.Code)
		raw = append(raw, in.Jt, in.Jf)
		raw = binary.NativeEndian.AppendUint32(raw, in.K)
	}
	return json.Marshal(struct {
		plain
		Filter []byte `json:"filter"` // the outer field wins over plain's
	}{plain(p), raw})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Program) UnmarshalJSON(b []byte) error {
	type plain Program
	v := struct {
		*plain
		Filter []byte `json:"filter"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if len(v.Filter)%sockFilterSize != 0 {
		return fmt.Errorf("seccomp filter of %d bytes: not whole instructions", len(v.Filter))
	}
	p.Filter = nil
	for raw := v.Filter; len(raw) > 0; raw = raw[sockFilterSize:] {
		p.Filter = append(p.Filter, unix.SockFilter{
			Code: binary.NativeEndian.Uint16(raw),
			Jt:   raw[2],
			Jf:   raw[3],
			K:    binary.NativeEndian.Uint32(raw[4:]),
		})
	}
	return nil
}
