package preference

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

type pageData struct {
	Brand       string
	Unsubscribe bool // opened from an unsubscribe link
	TopicLabel  string
	Saved       bool
	Action      string
	Nonce       string
	Topics      []item
	Channels    []item
	Message     string
}

type item struct {
	ID, Label, Description string
	Checked                bool
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request, token string, sub tracking.Subscriber, saved bool) {
	cat, state, err := h.load(r.Context(), sub)
	if err != nil {
		h.internal(w, sub, "load preferences", err)
		return
	}
	d := pageData{
		Brand:       h.cfg.Brand,
		Unsubscribe: strings.HasSuffix(r.URL.Path, tracking.UnsubscribePath),
		Saved:       saved,
		Action:      "?" + url.Values{tracking.ParamToken: {token}}.Encode(),
		Nonce:       h.nonce(token),
	}
	for _, t := range cat.Topics {
		d.Topics = append(d.Topics, item{t.ID, t.Label, t.Description, state[key{ScopeTopic, t.ID}]})
		if t.ID == sub.Topic {
			d.TopicLabel = t.Label
		}
	}
	for _, c := range cat.Channels {
		d.Channels = append(d.Channels, item{c.ID, c.Label, "", state[key{ScopeChannel, c.ID}]})
	}
	h.write(w, http.StatusOK, d)
}

func (h *Handler) fail(w http.ResponseWriter, status int, msg string) {
	h.write(w, status, pageData{Brand: h.cfg.Brand, Message: msg})
}

func (h *Handler) write(w http.ResponseWriter, status int, d pageData) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		h.cfg.Logger.Error("preference page template", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// pageTemplate is parsed once; html/template escapes every value for its
// context.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Email preferences</title>
<style>
body{margin:0;background:#f4f6f8;font-family:Helvetica,Arial,sans-serif;color:#1f2937}
main{max-width:560px;margin:40px auto;background:#fff;border-radius:8px;padding:32px 40px}
h1{margin:0 0 8px;font-size:24px;color:#0b2545}
fieldset{border:1px solid #e5e7eb;border-radius:6px;margin:16px 0;padding:12px 16px}
legend{font-weight:bold;padding:0 4px}
label{display:block;margin:8px 0}
small{display:block;color:#6b7280;margin-left:24px}
.status{background:#ecfdf5;border:1px solid #a7f3d0;border-radius:6px;padding:8px 12px}
.error{background:#fef2f2;border:1px solid #fecaca;border-radius:6px;padding:8px 12px}
button{font-size:15px;padding:10px 18px;border-radius:6px;border:1px solid #1d4ed8;cursor:pointer;margin:8px 8px 0 0}
.primary{background:#1d4ed8;color:#fff}
.secondary{background:#fff;color:#1d4ed8}
</style>
</head>
<body>
<main>
<h1>Email preferences</h1>
{{- if .Message}}
<p class="error" id="error">{{.Message}}</p>
{{- else}}
<p>Choose what you would like to hear from {{.Brand}} about.</p>
{{- if .Saved}}
<p class="status" id="status" role="status">Your preferences are saved.</p>
{{- end}}
{{- if .Unsubscribe}}
<p>To stop {{if .TopicLabel}}“{{.TopicLabel}}” emails{{else}}these emails{{end}}, untick it below and save, or unsubscribe from everything.</p>
{{- end}}
<form id="prefs" method="post" action="{{.Action}}">
<input type="hidden" name="nonce" value="{{.Nonce}}">
{{- if .Topics}}
<fieldset><legend>Topics</legend>
{{- range .Topics}}
<label><input type="checkbox" name="topic" value="{{.ID}}" id="topic-{{.ID}}"{{if .Checked}} checked{{end}}> {{.Label}}{{if .Description}}<small>{{.Description}}</small>{{end}}</label>
{{- end}}
</fieldset>
{{- end}}
{{- if .Channels}}
<fieldset><legend>Channels</legend>
{{- range .Channels}}
<label><input type="checkbox" name="channel" value="{{.ID}}" id="channel-{{.ID}}"{{if .Checked}} checked{{end}}> {{.Label}}</label>
{{- end}}
</fieldset>
{{- end}}
<button class="primary" type="submit" name="action" value="save" id="save">Save preferences</button>
<button class="secondary" type="submit" name="action" value="unsubscribe-all" id="unsubscribe-all">Unsubscribe from everything</button>
</form>
{{- end}}
</main>
</body>
</html>
`))
