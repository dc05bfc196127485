package linkedintest

import (
	"io"
	"net/http"
	"testing"
)

// The fake refuses calls a real LinkedIn refuses, so a client bug shows up
// in tests instead of in production.
func TestServerRefusesMalformedCalls(t *testing.T) {
	s := NewServer(t, Options{})
	good := "/rest/leadFormResponses?q=owner&owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A1)" +
		"&leadType=(leadType:SPONSORED)&submittedAtTimeRange=(start:1,end:2)"
	tests := []struct {
		name    string
		path    string
		headers map[string]string
		status  int
	}{
		{"good", good, nil, 200},
		{"no token", good, map[string]string{"Authorization": ""}, 401},
		{"no version", good, map[string]string{"LinkedIn-Version": ""}, 400},
		{"no protocol version", good, map[string]string{"X-Restli-Protocol-Version": ""}, 400},
		{"url.Values-style encoding", "/rest/leadFormResponses?q=owner&owner=%28sponsoredAccount%3Aurn%3Ali%3AsponsoredAccount%3A1%29" +
			"&leadType=%28leadType%3ASPONSORED%29&submittedAtTimeRange=%28start%3A1%2Cend%3A2%29", nil, 400},
		{"time range reversed", "/rest/leadFormResponses?q=owner&owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A1)" +
			"&leadType=(leadType:SPONSORED)&submittedAtTimeRange=(start:5,end:2)", nil, 400},
		{"unknown lead", "/rest/leadFormResponses/nope", nil, 404},
		{"unknown form", "/rest/leadForms/1", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+tt.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.Token())
			req.Header.Set("LinkedIn-Version", "202601")
			req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
		})
	}
	if got := s.Calls(RouteLeads); got != 6 {
		t.Errorf("Calls(RouteLeads) = %d, want 6", got)
	}
}

// Start runs the fake outside a test: it answers until Close, then its
// port refuses connections.
func TestStartAndClose(t *testing.T) {
	s, err := Start(Options{Token: "demo-token"})
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, error) {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/rest/leadForms/1", nil)
		req.Header.Set("Authorization", "Bearer demo-token")
		req.Header.Set("LinkedIn-Version", "202601")
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := get(); err != nil || code != http.StatusNotFound {
		t.Fatalf("unknown form: %d, %v; want 404", code, err)
	}
	s.Close()
	if code, err := get(); err == nil {
		t.Fatalf("after Close: %d, want a refused connection", code)
	}
}
