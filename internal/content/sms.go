package content

// Encoding is the character set an SMS is sent in.
type Encoding string

// Encodings. GSM-7 packs 160 septets into one message; anything outside
// the GSM 03.38 alphabet forces UCS-2 (UTF-16), 70 code units per message.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// Segments describes how an SMS text is sent.
type Segments struct {
	Encoding Encoding
	// Units is the length in septets (GSM-7, extension characters count
	// two) or UTF-16 code units (UCS-2, characters outside the BMP such as
	// most emoji count two).
	Units int
	// Count is the number of SMS the text is sent as (0 for empty text).
	Count int
	// PerSegment is the capacity of each: 160 or 70 for a single message,
	// 153 or 67 when concatenated (the User Data Header takes 6 bytes).
	PerSegment int
}

// Capacities of one SMS, single and concatenated.
const (
	gsmSingle, gsmMulti = 160, 153
	ucsSingle, ucsMulti = 70, 67
)

// gsmBasic is the GSM 03.38 default alphabet (one septet each), escape
// excepted.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension are the characters sent as escape + one septet (two septets).
const gsmExtension = "\f^{}\\[~]|€"

// gsmWidth returns the septets r takes in GSM-7, or 0 if r is not in the
// alphabet.
func gsmWidth(r rune) int {
	if r < 0x80 {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return 1
		}
	}
	for _, c := range gsmBasic {
		if c == r {
			return 1
		}
	}
	for _, c := range gsmExtension {
		if c == r {
			return 2
		}
	}
	return 0
}

// CountSegments returns the encoding and number of SMS for text. When a
// text is split, an extension character's escape pair and a UTF-16
// surrogate pair are never split across two messages, as handsets require,
// so a segment may carry one unit less than its capacity.
func CountSegments(text string) Segments {
	if text == "" {
		return Segments{Encoding: GSM7, PerSegment: gsmSingle}
	}
	widths := make([]int, 0, len(text))
	gsm := true
	for _, r := range text {
		w := gsmWidth(r)
		if w == 0 {
			gsm = false
			break
		}
		widths = append(widths, w)
	}
	single, multi := gsmSingle, gsmMulti
	s := Segments{Encoding: GSM7}
	if !gsm {
		single, multi = ucsSingle, ucsMulti
		s.Encoding = UCS2
		widths = widths[:0]
		for _, r := range text {
			if r > 0xFFFF {
				widths = append(widths, 2)
			} else {
				widths = append(widths, 1)
			}
		}
	}
	for _, w := range widths {
		s.Units += w
	}
	if s.Units <= single {
		s.Count, s.PerSegment = 1, single
		return s
	}
	s.Count, s.PerSegment = 1, multi
	used := 0
	for _, w := range widths {
		if used+w > multi {
			s.Count++
			used = 0
		}
		used += w
	}
	return s
}
