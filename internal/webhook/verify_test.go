package webhook

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The example published with the Standard Webhooks specification.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func mustSecret(t testing.TB, s string) Secret {
	t.Helper()
	sec, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func otherSecret(t testing.TB, b byte) Secret {
	t.Helper()
	key := make([]byte, 32)
	for i := range key {
		key[i] = b
	}
	return Secret{key: key}
}

func TestSignatureMatchesSpecExample(t *testing.T) {
	got, err := Signature([]Secret{mustSecret(t, specSecret)}, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != specSignature {
		t.Errorf("Signature = %q, want %q", got, specSignature)
	}
}

func TestSignatureOneEntryPerSecret(t *testing.T) {
	secrets := []Secret{mustSecret(t, specSecret), otherSecret(t, 9)}
	got, err := Signature(secrets, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := ParseSignatureHeader(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 {
		t.Fatalf("got %d signatures, want 2", len(sigs))
	}
	if _, err := Signature(nil, "x", time.Now(), nil); !errors.Is(err, ErrNoSecrets) {
		t.Errorf("no secrets: err = %v, want ErrNoSecrets", err)
	}
}

type verifyCase struct {
	name    string
	secrets []Secret // the receiver's
	header  http.Header
	body    string
	wantErr error
	status  int
}

func specHeader(mod func(h http.Header)) http.Header {
	h := http.Header{}
	h.Set(HeaderID, specID)
	h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(HeaderSignature, specSignature)
	if mod != nil {
		mod(h)
	}
	return h
}

func TestVerify(t *testing.T) {
	spec := mustSecret(t, specSecret)
	other := otherSecret(t, 3)
	rotated, _ := Signature([]Secret{other, spec}, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	tests := []verifyCase{
		{name: "valid", secrets: []Secret{spec}, header: specHeader(nil), body: specBody, status: 200},
		{name: "any active secret", secrets: []Secret{other, spec}, header: specHeader(nil), body: specBody, status: 200},
		{name: "sender mid-rotation", secrets: []Secret{spec}, body: specBody, status: 200,
			header: specHeader(func(h http.Header) { h.Set(HeaderSignature, rotated) })},
		{name: "lower-case header keys", secrets: []Secret{spec}, body: specBody, status: 200,
			header: http.Header{HeaderID: {specID}, HeaderTimestamp: {strconv.Itoa(specTimestamp)}, HeaderSignature: {specSignature}}},
		{name: "other versions skipped", secrets: []Secret{spec}, body: specBody, status: 200,
			header: specHeader(func(h http.Header) { h.Set(HeaderSignature, "v1a,AAAA "+specSignature) })},
		{name: "wrong secret", secrets: []Secret{other}, header: specHeader(nil), body: specBody, wantErr: ErrBadSignature, status: 401},
		{name: "tampered body", secrets: []Secret{spec}, header: specHeader(nil), body: `{"test": 2432232315}`, wantErr: ErrBadSignature, status: 401},
		{name: "tampered id", secrets: []Secret{spec}, body: specBody, wantErr: ErrBadSignature, status: 401,
			header: specHeader(func(h http.Header) { h.Set(HeaderID, "msg_other") })},
		{name: "old timestamp", secrets: []Secret{spec}, body: specBody, wantErr: ErrStale, status: 401,
			header: specHeader(func(h http.Header) { h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp-301)) })},
		{name: "future timestamp", secrets: []Secret{spec}, body: specBody, wantErr: ErrStale, status: 401,
			header: specHeader(func(h http.Header) { h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp+311)) })},
		{name: "missing id", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Del(HeaderID) })},
		{name: "missing timestamp", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Del(HeaderTimestamp) })},
		{name: "timestamp not a number", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Set(HeaderTimestamp, "2021-02-25T15:02:10Z") })},
		{name: "missing signature", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Del(HeaderSignature) })},
		{name: "entry without version", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Set(HeaderSignature, "g0hM9SsE+OTPJTGt") })},
		{name: "no v1 entry", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Set(HeaderSignature, "v2,abc") })},
		{name: "v1 not base64", secrets: []Secret{spec}, body: specBody, wantErr: ErrMalformed, status: 400,
			header: specHeader(func(h http.Header) { h.Set(HeaderSignature, "v1,***") })},
		{name: "no receiver secret", secrets: nil, header: specHeader(nil), body: specBody, wantErr: ErrNoSecrets, status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Secrets: tt.secrets, Now: func() time.Time { return time.Unix(specTimestamp+10, 0) }, Seen: &MemorySeen{}}
			hd, err := v.Verify(context.Background(), tt.header, []byte(tt.body))
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if got := HTTPStatus(err); got != tt.status {
				t.Errorf("HTTPStatus = %d, want %d", got, tt.status)
			}
			if err == nil && (hd.ID != specID || hd.Timestamp.Unix() != specTimestamp) {
				t.Errorf("headers = %+v", hd)
			}
		})
	}
}

func TestVerifyRejectsReplayOnlyAfterAuthenticMessage(t *testing.T) {
	spec := mustSecret(t, specSecret)
	seen := &MemorySeen{Now: func() time.Time { return time.Unix(specTimestamp, 0) }}
	v := &Verifier{Secrets: []Secret{spec}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }, Seen: seen}
	ctx := context.Background()
	// A forgery with the same id must not poison the set.
	if _, err := v.Verify(ctx, specHeader(nil), []byte("forged")); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forgery: %v", err)
	}
	if _, err := v.Verify(ctx, specHeader(nil), []byte(specBody)); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	_, err := v.Verify(ctx, specHeader(nil), []byte(specBody))
	if !errors.Is(err, ErrReplay) || HTTPStatus(err) != http.StatusConflict {
		t.Fatalf("replay: err = %v (status %d), want ErrReplay/409", err, HTTPStatus(err))
	}
}

type failingSeen struct{}

func (failingSeen) Remember(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("store down")
}

func TestVerifySeenStoreFailure(t *testing.T) {
	v := &Verifier{Secrets: []Secret{mustSecret(t, specSecret)}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }, Seen: failingSeen{}}
	_, err := v.Verify(context.Background(), specHeader(nil), []byte(specBody))
	if err == nil || HTTPStatus(err) != http.StatusInternalServerError {
		t.Fatalf("err = %v, status %d; want a 500", err, HTTPStatus(err))
	}
}

func TestSignHeadersRoundTrip(t *testing.T) {
	secrets := []Secret{otherSecret(t, 1), otherSecret(t, 2)}
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	body := []byte(`{"hello":"world"}`)
	if err := SignHeaders(h, secrets, "msg_1", now, body); err != nil {
		t.Fatal(err)
	}
	for _, receiver := range [][]Secret{secrets[:1], secrets[1:]} {
		v := &Verifier{Secrets: receiver, Now: func() time.Time { return now }}
		hd, err := v.Verify(context.Background(), h, body)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if diff := cmp.Diff(Headers{ID: "msg_1", Timestamp: now, Signatures: hd.Signatures}, hd); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
	}
}
