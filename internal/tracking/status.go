package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/journeys-oss/journeys/internal/channel"
	"github.com/journeys-oss/journeys/internal/settings"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/webhook"
)

// status serves a provider's status callback: verified with the secrets
// of the business unit's webhook channels, then recorded.
func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := webhook.ReadBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		http.Error(w, "unreadable body", webhook.HTTPStatus(err))
		return
	}
	var ev channel.StatusEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.Type != channel.TypeStatus {
		http.Error(w, "not a message.status event", http.StatusBadRequest)
		return
	}
	ref, err := channel.ParseMessageRef(ev.ID)
	if err != nil {
		http.Error(w, "unknown message id", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	secrets, err := h.channelSecrets(ctx, ref.BU)
	if err != nil {
		h.log.WarnContext(ctx, "status callback for a unit without webhook channels", "bu", ref.BU, "error", err.Error())
		http.Error(w, "unknown message id", http.StatusBadRequest)
		return
	}
	v := webhook.Verifier{Secrets: secrets, Now: h.cfg.Now, Seen: h.cfg.Seen}
	if _, err := v.Verify(ctx, r.Header, body); err != nil {
		http.Error(w, "signature not accepted", webhook.HTTPStatus(err))
		return
	}
	if !ref.Test {
		if err := h.applyStatus(ctx, ref, ev); err != nil {
			h.log.ErrorContext(ctx, "status callback", "bu", ref.BU, "status", ev.Status, "error", err.Error())
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// channelSecrets returns the secrets of every webhook channel of bu: a
// status callback is signed with its channel's.
func (h *Handler) channelSecrets(ctx context.Context, bu string) ([]webhook.Secret, error) {
	s, err := h.cfg.Settings.For(bu)
	if err != nil {
		return nil, err
	}
	var all []webhook.Secret
	for _, ch := range s.Channels {
		if ch.Provider != settings.ProviderWebhook {
			continue
		}
		sec, err := settings.WebhookSecrets(ctx, h.cfg.Secrets, ch.Secret)
		if err != nil {
			return nil, err
		}
		all = append(all, sec...)
	}
	if len(all) == 0 {
		return nil, errors.New("no webhook channel")
	}
	return all, nil
}

var statusKinds = map[string]store.InteractionKind{
	channel.EventDelivered:  store.InteractionDelivered,
	channel.EventBounced:    store.InteractionBounced,
	channel.EventComplained: store.InteractionComplained,
}

func (h *Handler) applyStatus(ctx context.Context, ref channel.MessageRef, ev channel.StatusEvent) error {
	kind, ok := statusKinds[ev.Status]
	if !ok {
		h.log.InfoContext(ctx, "status callback", "bu", ref.BU, "step", ref.Step, "status", ev.Status)
		return nil
	}
	at := h.cfg.Now()
	if t, err := time.Parse(time.RFC3339, ev.At); err == nil {
		at = t
	}
	name := h.channelOf(ctx, ref)
	detail := map[string]string{"provider": ev.ProviderID}
	if ev.Bounce != "" {
		detail["bounce"] = ev.Bounce
	}
	if _, err := h.cfg.Store.AppendInteraction(ctx, ref.BU, store.Interaction{Contact: ref.Contact, Kind: kind, Channel: name,
		At: at, Journey: ref.Journey, Version: ref.Version, Step: ref.Step, Message: ref.String(), Detail: detail}); err != nil {
		return err
	}
	hard := ev.Status == channel.EventComplained || ev.Status == channel.EventBounced && ev.Bounce == channel.BounceHard
	if !hard {
		return nil
	}
	ct, err := h.cfg.Store.GetContact(ctx, ref.BU, ref.Contact)
	if errors.Is(err, store.ErrNotFound) {
		return nil // erased meanwhile: its addresses are suppressed already
	}
	if err != nil {
		return err
	}
	reason := store.SuppressedBounce
	if ev.Status == channel.EventComplained {
		reason = store.SuppressedComplaint
	}
	kindOf, addr := store.AddressEmail, ct.Email
	if channel.Class(name) == channel.SMS {
		kindOf, addr = store.AddressPhone, ct.Phone
	}
	if addr == "" {
		return nil
	}
	h.log.InfoContext(ctx, "address suppressed", "bu", ref.BU, "contact", ref.Contact, "reason", string(reason))
	return h.cfg.Store.Suppress(ctx, ref.BU, kindOf, addr, reason)
}

// channelOf finds the channel a message went out on from its sent
// interaction (email when it cannot be found).
func (h *Handler) channelOf(ctx context.Context, ref channel.MessageRef) string {
	page, err := h.cfg.Store.ListInteractions(ctx, ref.BU, ref.Contact, store.InteractionQuery{NewestFirst: true, Limit: store.MaxLimit})
	if err == nil {
		id := ref.String()
		for _, i := range page.Items {
			if i.Message == id && i.Kind == store.InteractionSent {
				return i.Channel
			}
		}
	}
	return channel.Email
}
