package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// maxStringLen is the longest string States.Base64Encode, Base64Decode and
// Hash accept, in characters.
const maxStringLen = 10000

// maxRange is the most elements States.ArrayRange may produce.
const maxRange = 1000

func evalFormat(cc *callCtx) (any, error) {
	tmpl, err := cc.str(0)
	if err != nil {
		return nil, err
	}
	// A literal template keeps its escapes (\{ \} \' \\) so that escaped
	// braces are not placeholders.
	if a := cc.call.args[0]; a.kind == argLiteral {
		tmpl = a.raw
	}
	var b strings.Builder
	next := 1
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && i+1 < len(tmpl):
			i++
			b.WriteByte(tmpl[i])
		case c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}':
			if next >= len(cc.args) {
				return nil, cc.fail("The number of arguments provided to the intrinsic function States.Format does not match the number of placeholders in the template.")
			}
			b.WriteString(formatArg(cc.args[next]))
			next++
			i++
		case c == '{' || c == '}':
			return nil, cc.fail("The template of States.Format has an unescaped '%c'.", c)
		default:
			b.WriteByte(c)
		}
	}
	if next != len(cc.args) {
		return nil, cc.fail("The number of arguments provided to the intrinsic function States.Format does not match the number of placeholders in the template.")
	}
	return b.String(), nil
}

// formatArg renders a value as States.Format does: strings as they are,
// objects and arrays in Java's Map and List notation ({a=1, b=[]}).
func formatArg(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatArg(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *jsonv.Object:
		parts := make([]string, x.Len())
		for i := 0; i < x.Len(); i++ {
			parts[i] = x.Key(i) + "=" + formatArg(x.Value(i))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return jsonv.String(v)
}

func evalStringToJSON(cc *callCtx) (any, error) {
	s, err := cc.str(0)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := jsonv.ParseString(s)
	if err != nil {
		return nil, cc.fail("The States.StringToJson function could not parse its argument as JSON: %v.", err)
	}
	return v, nil
}

func evalJSONToString(cc *callCtx) (any, error) {
	return jsonv.String(cc.args[0]), nil
}

func evalArray(cc *callCtx) (any, error) {
	return append([]any{}, cc.args...), nil
}

func evalArrayPartition(cc *callCtx) (any, error) {
	a, err := cc.array(0)
	if err != nil {
		return nil, err
	}
	size, err := cc.integer(1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, cc.fail("The States.ArrayPartition function expects a chunk size greater than 0, but got %d.", size)
	}
	out := []any{}
	for i := 0; i < len(a); i += int(size) {
		end := i + int(size)
		if end > len(a) || end < 0 {
			end = len(a)
		}
		out = append(out, append([]any{}, a[i:end]...))
	}
	return out, nil
}

func evalArrayContains(cc *callCtx) (any, error) {
	a, err := cc.array(0)
	if err != nil {
		return nil, err
	}
	for _, e := range a {
		if jsonv.Equal(e, cc.args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func evalArrayRange(cc *callCtx) (any, error) {
	start, err := cc.integer(0)
	if err != nil {
		return nil, err
	}
	end, err := cc.integer(1)
	if err != nil {
		return nil, err
	}
	step, err := cc.integer(2)
	if err != nil {
		return nil, err
	}
	if step == 0 {
		return nil, cc.fail("The States.ArrayRange function expects a step other than 0.")
	}
	out := []any{}
	for i := start; (step > 0 && i <= end) || (step < 0 && i >= end); i += step {
		if len(out) == maxRange {
			return nil, cc.fail("The States.ArrayRange function cannot produce more than %d elements.", maxRange)
		}
		out = append(out, jsonv.Int(i))
	}
	return out, nil
}

func evalArrayGetItem(cc *callCtx) (any, error) {
	a, err := cc.array(0)
	if err != nil {
		return nil, err
	}
	i, err := cc.integer(1)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, cc.fail("The index %d provided to the States.ArrayGetItem function is out of range for an array of length %d.", i, len(a))
	}
	return a[i], nil
}

func evalArrayLength(cc *callCtx) (any, error) {
	a, err := cc.array(0)
	if err != nil {
		return nil, err
	}
	return jsonv.Int(int64(len(a))), nil
}

func evalArrayUnique(cc *callCtx) (any, error) {
	a, err := cc.array(0)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, e := range a {
		dup := false
		for _, seen := range out {
			if jsonv.Equal(seen, e) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out, nil
}

func (cc *callCtx) limitedString(i int) (string, error) {
	s, err := cc.str(i)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > maxStringLen {
		return "", cc.fail("The %s function accepts at most %d characters.", cc.name(), maxStringLen)
	}
	return s, nil
}

func evalBase64Encode(cc *callCtx) (any, error) {
	s, err := cc.limitedString(0)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func evalBase64Decode(cc *callCtx) (any, error) {
	s, err := cc.limitedString(0)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, cc.fail("The States.Base64Decode function could not decode its argument: %v.", err)
	}
	return string(b), nil
}

func evalHash(cc *callCtx) (any, error) {
	s, err := cc.limitedString(0)
	if err != nil {
		return nil, err
	}
	alg, err := cc.str(1)
	if err != nil {
		return nil, err
	}
	h := NewHash(alg)
	if h == nil {
		return nil, cc.fail("The States.Hash function does not support the algorithm %q (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512).", alg)
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// NewHash returns the hash States.Hash and JSONata's $hash name alg (MD5,
// SHA-1, SHA-256, SHA-384, SHA-512), or nil for another name.
func NewHash(alg string) hash.Hash {
	switch alg {
	case "MD5":
		return md5.New()
	case "SHA-1":
		return sha1.New()
	case "SHA-256":
		return sha256.New()
	case "SHA-384":
		return sha512.New384()
	case "SHA-512":
		return sha512.New()
	}
	return nil
}

func evalJSONMerge(cc *callCtx) (any, error) {
	a, err := cc.object(0)
	if err != nil {
		return nil, err
	}
	b, err := cc.object(1)
	if err != nil {
		return nil, err
	}
	deep, err := cc.boolean(2)
	if err != nil {
		return nil, err
	}
	if deep {
		return nil, cc.fail("The States.JsonMerge function supports only a shallow merge: its third argument must be false.")
	}
	out := jsonv.NewObject(a.Len() + b.Len())
	for i := 0; i < a.Len(); i++ {
		out.Set(a.Key(i), a.Value(i))
	}
	for i := 0; i < b.Len(); i++ {
		out.Set(b.Key(i), b.Value(i))
	}
	return out, nil
}

func evalMathRandom(cc *callCtx) (any, error) {
	start, err := cc.integer(0)
	if err != nil {
		return nil, err
	}
	end, err := cc.integer(1)
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, cc.fail("The States.MathRandom function expects its start (%d) to be less than its end (%d).", start, end)
	}
	r := cc.env.Rand()
	if len(cc.args) == 3 {
		seed, err := cc.integer(2)
		if err != nil {
			return nil, err
		}
		r = rand.New(rand.NewPCG(uint64(seed), uint64(seed)))
	}
	return jsonv.Int(start + r.Int64N(end-start)), nil
}

// javaRound rounds as Java's Math.round: half up, toward positive infinity.
func javaRound(f float64) float64 { return math.Floor(f + 0.5) }

func evalMathAdd(cc *callCtx) (any, error) {
	var sum int64
	for i := range 2 {
		n, ok := cc.args[i].(jsonv.Number)
		f, ok2 := n.Float64()
		if !ok || !ok2 {
			return nil, cc.fail("The States.MathAdd function expects argument %d to be a number, but got %s.", i+1, jsonv.TypeName(cc.args[i]))
		}
		r := javaRound(f)
		if r < math.MinInt32 || r > math.MaxInt32 {
			return nil, cc.fail("The States.MathAdd function expects integers between %d and %d, but got %s.", math.MinInt32, math.MaxInt32, n)
		}
		sum += int64(r)
	}
	return jsonv.Int(sum), nil
}

func evalStringSplit(cc *callCtx) (any, error) {
	s, err := cc.str(0)
	if err != nil {
		return nil, err
	}
	delims, err := cc.str(1)
	if err != nil {
		return nil, err
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func evalUUID(cc *callCtx) (any, error) {
	return NewUUID(cc.env.Rand()), nil
}

// NewUUID returns a random (version 4) UUID drawn from r.
func NewUUID(r *rand.Rand) string {
	var b [16]byte
	hi, lo := r.Uint64(), r.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdig = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexdig[c>>4], hexdig[c&0xf]
		j += 2
	}
	return string(out[:])
}
