package manage

import (
	"context"
	"fmt"
	"net/http"

	"github.com/journeys-oss/journeys/internal/handler"
)

// A Previewer renders templates for contacts and makes test sends: the
// render function's handler (*handler.Handlers has it).
type Previewer interface {
	Render(ctx context.Context, req handler.RenderRequest) (handler.RenderResult, error)
}

// PreviewRequest is the body of POST .../previews: a template rendered for
// a stored contact (Contact) or sample values (Values) and a trigger
// event's attributes (Event), and with SendTo a
// test send to that address on the template's channel (or Channel).
type PreviewRequest struct {
	Template string         `json:"template"`
	Version  int            `json:"version,omitempty"`
	Locale   string         `json:"locale,omitempty"`
	Contact  string         `json:"contact,omitempty"`
	Values   map[string]any `json:"values,omitempty"`
	Event    map[string]any `json:"event,omitempty"`
	Journey  string         `json:"journey,omitempty"`
	Step     string         `json:"step,omitempty"`
	SendTo   string         `json:"sendTo,omitempty"`
	Channel  string         `json:"channel,omitempty"`
}

func (h *Handler) preview(w http.ResponseWriter, r *http.Request, c caller) error {
	if h.opts.Previews == nil {
		return fmt.Errorf("previews are not configured here: %w", ErrUnavailable)
	}
	var req PreviewRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if req.Template == "" {
		return &bodyError{status: http.StatusBadRequest, msg: "name the template to preview"}
	}
	res, err := h.opts.Previews.Render(r.Context(), handler.RenderRequest{
		BU: c.bu, Template: req.Template, Version: req.Version, Locale: req.Locale,
		Contact: req.Contact, Values: req.Values, Event: req.Event, Journey: req.Journey, Step: req.Step,
		Send: req.SendTo != "", Channel: req.Channel, To: req.SendTo,
	})
	if err != nil {
		return err
	}
	if res.Sent {
		h.opts.Logger.InfoContext(r.Context(), "test send", "bu", c.bu, "template", req.Template, "actor", c.actor)
	}
	return reply(w, http.StatusOK, res)
}

// Preview renders a template through the API (and makes a test send when
// req.SendTo is set).
func (c *Client) Preview(ctx context.Context, req PreviewRequest) (handler.RenderResult, error) {
	var out handler.RenderResult
	err := c.json(ctx, http.MethodPost, "/previews", req, &out)
	return out, err
}
