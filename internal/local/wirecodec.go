package local

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/wire"
)

// Every task a simulation runs decodes a wire.StepRequest and encodes a
// wire.StepResult; encoding/json's reflection made that a tenth of a
// simulation's time. decodeRequest and encodeResult handle the payloads
// compiled machines send and the results handlers return, as
// encoding/json would, and hand anything else (an unknown or differently
// cased key, an escaped string, null, attributes in a result) to
// encoding/json, so the outcome is encoding/json's whatever the input.

// decodeRequest decodes a request payload as json.Unmarshal does.
func decodeRequest(payload []byte, req *wire.StepRequest) error {
	var fast wire.StepRequest
	if (&reqDecoder{b: payload}).object(&fast) {
		*req = fast
		return nil
	}
	return json.Unmarshal(payload, req)
}

// reqDecoder reads the subset of JSON it accepts; any other input makes
// it give up (false), never guess.
type reqDecoder struct {
	b []byte
	i int
}

func (d *reqDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *reqDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *reqDecoder) object(req *wire.StepRequest) bool {
	if !d.next('{') {
		return false
	}
	if !d.next('}') {
		for {
			key, ok := d.str()
			if !ok || !d.next(':') || !d.field(req, key) {
				return false
			}
			if d.next(',') {
				continue
			}
			if !d.next('}') {
				return false
			}
			break
		}
	}
	d.space()
	return d.i == len(d.b)
}

// field reads the value of one known key into req.
func (d *reqDecoder) field(req *wire.StepRequest, key []byte) bool {
	var s *string
	switch string(key) {
	case "v":
		return d.int(&req.V)
	case "version":
		return d.int(&req.Version)
	case "attrs":
		return d.strings(&req.Attrs)
	case "op":
		s = &req.Op
	case "bu":
		s = &req.BU
	case "journey":
		s = &req.Journey
	case "contact":
		s = &req.Contact
	case "entry":
		s = &req.Entry
	case "execution":
		s = &req.Execution
	case "step":
		s = &req.Step
	case "token":
		s = &req.Token
	case "outcome":
		s = &req.Outcome
	case "cause":
		s = &req.Cause
	case "error":
		s = &req.Error
	case "variant":
		s = &req.Variant
	case "since":
		s = &req.Since
	default:
		return false
	}
	v, ok := d.str()
	*s = string(v)
	return ok
}

// str reads a string without escapes or control characters, in valid
// UTF-8 (what encoding/json would change or refuse is left to it).
func (d *reqDecoder) str() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.i
	ascii := true
	for ; d.i < len(d.b); d.i++ {
		switch c := d.b[d.i]; {
		case c == '"':
			v := d.b[start:d.i]
			d.i++
			return v, ascii || utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// int reads an integer in JSON's syntax that fits an int.
func (d *reqDecoder) int(v *int) bool {
	d.space()
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	n := d.i - digits
	if n == 0 || n > 18 || n > 1 && d.b[digits] == '0' {
		return false
	}
	if d.i < len(d.b) && (d.b[d.i] == '.' || d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		return false
	}
	x, err := strconv.Atoi(string(d.b[start:d.i]))
	*v = x
	return err == nil
}

// strings reads an array of strings ([] is an empty, non-nil list, as
// encoding/json makes it).
func (d *reqDecoder) strings(v *[]string) bool {
	if !d.next('[') {
		return false
	}
	out := []string{}
	if !d.next(']') {
		for {
			s, ok := d.str()
			if !ok {
				return false
			}
			out = append(out, string(s))
			if d.next(',') {
				continue
			}
			if !d.next(']') {
				return false
			}
			break
		}
	}
	*v = out
	return true
}

// encodeResult encodes a result as json.Marshal does.
func encodeResult(res wire.StepResult) ([]byte, error) {
	if res.Attrs != nil || res.Remaining != nil || !plain(res.Case) || !plain(res.Until) || !plain(res.Status) {
		return json.Marshal(res)
	}
	b := make([]byte, 0, 16+len(res.Case)+len(res.Until)+len(res.Status)+24)
	b = append(b, '{')
	if res.Result != nil {
		b = strconv.AppendBool(append(b, `"result":`...), *res.Result)
	}
	for _, f := range [...]struct{ name, v string }{{"case", res.Case}, {"until", res.Until}, {"status", res.Status}} {
		if f.v == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(append(append(append(b, '"'), f.name...), `":"`...), f.v...), '"')
	}
	return append(b, '}'), nil
}

// plain reports whether encoding/json writes s as it is between quotes:
// printable ASCII without the characters it escapes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= utf8.RuneSelf, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
