package linkedin

import (
	"errors"
	"strings"
	"testing"
)

// Expected values computed independently (Python's hmac module) over
// testdata/notification.json.
const (
	testSecret        = "app-secret"
	notificationHMAC  = "72d2ffc5732a3a31681c8e15012aa0b78bacfe044ded0960263e5ece10079b09"
	testChallenge     = "4bb1a2d1-ae51-4e0a-9e68-0d0d1b2b8f2a"
	testChallengeHMAC = "e0956e9da3c35076eccf76ae2683a03361e325aa2cdfd354d054b21b74995836"
)

func TestSignAndChallengeKnownValues(t *testing.T) {
	body := readTestdata(t, "notification.json")
	if got := Sign(testSecret, body); got != notificationHMAC {
		t.Errorf("Sign = %s, want %s", got, notificationHMAC)
	}
	if got := ChallengeResponse(testSecret, testChallenge); got != testChallengeHMAC {
		t.Errorf("ChallengeResponse = %s, want %s", got, testChallengeHMAC)
	}
}

func TestVerifySignature(t *testing.T) {
	body := readTestdata(t, "notification.json")
	tests := []struct {
		name    string
		secrets []string
		header  string
		body    []byte
		want    error
	}{
		{"bare hex", []string{testSecret}, notificationHMAC, body, nil},
		{"with prefix", []string{testSecret}, "hmacsha256=" + notificationHMAC, body, nil},
		{"prefix in upper case", []string{testSecret}, "HMACSHA256=" + notificationHMAC, body, nil},
		{"upper-case hex", []string{testSecret}, strings.ToUpper(notificationHMAC), body, nil},
		{"surrounding space", []string{testSecret}, " " + notificationHMAC + " ", body, nil},
		{"second secret (rotation)", []string{"new-secret", testSecret}, notificationHMAC, body, nil},
		{"wrong secret", []string{"other-secret"}, notificationHMAC, body, ErrBadSignature},
		{"tampered body", []string{testSecret}, notificationHMAC, append(append([]byte{}, body...), ' '), ErrBadSignature},
		{"re-serialised body", []string{testSecret}, notificationHMAC, []byte(strings.Join(strings.Fields(string(body)), "")), ErrBadSignature},
		{"missing", []string{testSecret}, "", body, ErrMissingSignature},
		{"not hex", []string{testSecret}, "zz" + notificationHMAC[2:], body, ErrBadSignature},
		{"truncated", []string{testSecret}, notificationHMAC[:62], body, ErrBadSignature},
		{"prefix only", []string{testSecret}, "hmacsha256=", body, ErrBadSignature},
		{"no secrets", nil, notificationHMAC, body, ErrBadSignature},
		{"empty secret ignored", []string{""}, Sign("", body), body, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secrets, tt.header, tt.body)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	body := []byte(`{"type":"LEAD_ACTION"}`)
	f.Add(Sign(testSecret, body), body)
	f.Add("hmacsha256="+Sign(testSecret, body), body)
	f.Add("hmacsha256", []byte{})
	f.Add("", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := VerifySignature([]string{testSecret}, header, body)
		if err == nil {
			h := strings.ToLower(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(header)), "hmacsha256="))
			if h != Sign(testSecret, body) {
				t.Fatalf("accepted header %q that is not the body's MAC", header)
			}
			return
		}
		if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMissingSignature) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
