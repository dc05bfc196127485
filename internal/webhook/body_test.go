package webhook

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := ReadBody(w, r, 16)
		if err != nil {
			var tl *TooLargeError
			if errors.As(err, &tl) && tl.Limit != 16 {
				t.Errorf("limit = %d", tl.Limit)
			}
			http.Error(w, err.Error(), HTTPStatus(err))
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		body    io.Reader
		status  int
		chunked bool
	}{
		{"small", strings.NewReader("hello"), 200, false},
		{"exactly the limit", strings.NewReader(strings.Repeat("x", 16)), 200, false},
		{"over, declared length", strings.NewReader(strings.Repeat("x", 17)), 413, false},
		{"over, chunked", strings.NewReader(strings.Repeat("x", 1000)), 413, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			resp, err := http.Post(srv.URL, "text/plain", body)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestReadBodyDirect(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, 100)))
	r.ContentLength = -1
	_, err := ReadBody(httptest.NewRecorder(), r, 10)
	if !errors.Is(err, ErrTooLarge) || HTTPStatus(err) != http.StatusRequestEntityTooLarge {
		t.Fatalf("err = %v, want ErrTooLarge/413", err)
	}
}
