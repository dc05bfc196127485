package approval_test

import "net/http"

// httptestHandler lets the test server start before the service exists.
type httptestHandler struct{ h http.Handler }

func (h *httptestHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }
