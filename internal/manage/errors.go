package manage

import (
	"errors"
	"net/http"

	"github.com/journeys-oss/journeys/internal/approval"
	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/journey"
	"github.com/journeys-oss/journeys/internal/leads"
	"github.com/journeys-oss/journeys/internal/publish"
	"github.com/journeys-oss/journeys/internal/store"
)

// ErrorBody is the JSON every error answers with.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a message for people
// and, for a journey that does not check, its problems with positions.
type ErrorDetail struct {
	Code     string            `json:"code"`
	Message  string            `json:"message"`
	Problems []journey.Problem `json:"problems,omitempty"`
}

// errorStatus is the one mapping from errors to HTTP statuses and codes.
func errorStatus(err error) (int, string) {
	var inv *publish.InvalidError
	var body *bodyError
	var imp *ImportError
	var cont *ContentError
	switch {
	case errors.As(err, &body):
		return body.status, "bad_request"
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated"
	case errors.Is(err, errForbidden), errors.Is(err, publish.ErrForbidden), errors.Is(err, leads.ErrForeignOwner):
		return http.StatusForbidden, "forbidden"
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, "invalid_journey"
	case errors.As(err, &cont):
		return http.StatusUnprocessableEntity, "invalid_content"
	case errors.Is(err, approval.ErrPendingTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.As(err, &imp):
		return http.StatusUnprocessableEntity, "invalid_import"
	case errors.Is(err, store.ErrNotFound), errors.Is(err, content.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, ErrStatus), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists), errors.Is(err, publish.ErrPruned):
		return http.StatusConflict, "conflict"
	case errors.Is(err, content.ErrRender), errors.Is(err, content.ErrLimit):
		return http.StatusUnprocessableEntity, "render_failed"
	case errors.Is(err, publish.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, store.ErrInvalid), errors.Is(err, publish.ErrInvalid), errors.Is(err, handler.ErrBadRender):
		return http.StatusBadRequest, "invalid"
	case errors.Is(err, ErrUnavailable):
		return http.StatusNotImplemented, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

// fail answers an error. Server errors are logged and answered without
// their detail.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := errorStatus(err)
	d := ErrorDetail{Code: code, Message: err.Error()}
	var inv *publish.InvalidError
	if errors.As(err, &inv) {
		d.Message = "journey " + inv.Journey + " does not check"
		d.Problems = inv.Problems
	}
	var cont *ContentError
	if errors.As(err, &cont) {
		d.Message = "the content does not check"
		d.Problems = cont.Problems
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="journeys"`)
		d.Message = "give an API key (Authorization: Bearer <key>), or call /manage/<bu>/ with AWS IAM credentials"
	}
	if status >= 500 {
		h.opts.Logger.ErrorContext(r.Context(), "management API request failed", "method", r.Method, "path", r.URL.Path,
			"bu", callerOf(r.Context()).bu, "error", err)
		if status == http.StatusInternalServerError {
			d.Message = "internal error"
		}
	}
	_ = reply(w, status, ErrorBody{Error: d})
}
