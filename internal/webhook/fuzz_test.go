package webhook

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzParseSignatureHeader(f *testing.F) {
	f.Add(specSignature)
	f.Add("v1a,AAAA " + specSignature)
	f.Add("v1,")
	f.Add("v1,*** v2,abc")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		sigs, err := ParseSignatureHeader(v)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(sigs) == 0 {
			t.Fatal("no error and no signature")
		}
	})
}

// FuzzVerify feeds arbitrary headers and bodies: Verify must never panic,
// must fail with one of its classes, and must accept only what the secret
// really signed.
func FuzzVerify(f *testing.F) {
	f.Add(specID, strconv.Itoa(specTimestamp), specSignature, []byte(specBody))
	f.Add(specID, strconv.Itoa(specTimestamp), specSignature, []byte(specBody+" "))
	f.Add("", "x", "v1,", []byte{})
	f.Add("id", "-5", "v1,AAAA v1,BBBB", []byte("{}"))
	secret, err := ParseSecret(specSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		v := &Verifier{Secrets: []Secret{secret}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }}
		hd, err := v.Verify(context.Background(), h, body)
		if err != nil {
			if HTTPStatus(err) == http.StatusInternalServerError {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		want, _ := Signature([]Secret{secret}, hd.ID, hd.Timestamp, body)
		found := false
		for _, e := range strings.Fields(sig) {
			if e == want {
				found = true
			}
		}
		if !found {
			t.Fatalf("accepted a signature the secret did not make: %q", sig)
		}
	})
}
