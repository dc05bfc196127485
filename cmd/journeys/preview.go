package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// previewOptions are the flags of `journeys preview`.
type previewOptions struct {
	template     string
	contact      string
	event        string
	locale       string
	htmlOut      string
	outDir       string
	contentDir   string
	bu           string
	trackingBase string
	json         bool
	sendTo       string // a test send through the API
	api          string
	iam          bool
}

// previewContact is the --contact file: the contact's id, attributes and
// sales owner. A file without "attributes" is read as the attributes.
type previewContact struct {
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
	Owner      content.Owner  `json:"owner"`
}

func runPreview(c *cli, args []string) int {
	var o previewOptions
	fs := c.newFlagSet("preview", "TEMPLATE --contact FILE|ID [--event FILE] [--locale L] [--out-dir DIR | --html-out FILE] [--send-test ADDRESS --api URL]")
	fs.StringVar(&o.contact, "contact", "", "a JSON `file` with the contact: {\"id\", \"attributes\": {...}, \"owner\": {\"name\", \"email\"}};\nor a stored contact's id, rendered through the management API (--api)")
	fs.StringVar(&o.event, "event", "", "a JSON `file` with the trigger event's attributes")
	fs.StringVar(&o.locale, "locale", "", "the contact's `locale` (default: the contact's locale attribute)")
	fs.StringVar(&o.htmlOut, "html-out", "", "write the email's HTML to `file` instead of --out-dir")
	fs.StringVar(&o.outDir, "out-dir", filepath.Join("build", "preview"), "the `folder` the email's HTML is written to, as <template>[.<locale>].html")
	fs.StringVar(&o.contentDir, "content", "journeys/content", "the content `folder`, when TEMPLATE is an id")
	fs.StringVar(&o.bu, "bu", "default", "the business `unit`")
	fs.StringVar(&o.trackingBase, "tracking-base", "http://localhost:8080/t", "base `URL` of the tracking endpoint in links")
	fs.BoolVar(&o.json, "json", false, "print the rendered message as JSON")
	fs.StringVar(&o.sendTo, "send-test", "", "send the message as a test to `address` through the business unit's configured channel, by the management API\n(--api; `journeys dev` serves one); marked as a test, never counted")
	fs.StringVar(&o.api, "api", os.Getenv(envAPI), "the management API's root URL for a stored contact or a test send (default $"+envAPI+")")
	fs.BoolVar(&o.iam, "iam", false, "sign API calls with your AWS credentials for --bu instead of the key in $"+envAPIKey)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 || o.contact == "" {
		fmt.Fprintln(c.stderr, "journeys preview: give one TEMPLATE (an id or a .liquid file) and --contact FILE")
		return exitUsage
	}
	o.template = fs.Arg(0)
	if o.sendTo != "" || !isFile(o.contact) {
		return c.previewAPI(o)
	}
	return c.preview(o)
}

func (c *cli) preview(o previewOptions) int {
	id, dir, fileLocale := o.template, o.contentDir, ""
	if strings.HasSuffix(o.template, ".liquid") {
		base := strings.TrimSuffix(filepath.Base(o.template), ".liquid")
		id, fileLocale, _ = strings.Cut(base, ".")
		dir = filepath.Dir(filepath.Dir(o.template))
	}
	var pc previewContact
	if err := readContact(o.contact, &pc); err != nil {
		fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
		return exitFailed
	}
	req := content.Request{
		BU: o.bu, Template: id, Locale: firstNonEmpty(o.locale, fileLocale, str(pc.Attributes["locale"])),
		ContactID: firstNonEmpty(pc.ID, "preview-contact"), Contact: pc.Attributes, Owner: pc.Owner,
		MessageID: "preview", Journey: content.JourneyInfo{ID: "preview", Name: "Preview", Version: 1}, Step: "preview",
	}
	if o.event != "" {
		if err := readJSON(o.event, &req.Event); err != nil {
			fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
			return exitFailed
		}
	}
	src, problems := content.LoadFiles(os.DirFS(dir), filepath.ToSlash(dir))
	if len(problems) > 0 {
		c.printProblems(problems)
		return exitInvalid
	}
	links, err := previewLinks(o.trackingBase)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
		return exitUsage
	}
	msg, err := content.NewLibrary(src, content.Options{Links: links}).Render(context.Background(), req)
	if err != nil {
		return c.contentError("preview", err)
	}
	htmlPath, err := writePreviewHTML(o, msg.Template, msg.Locale, msg.HTML)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
		return exitFailed
	}
	if o.json {
		if htmlPath != "" {
			fmt.Fprintf(c.stderr, "html: written to %s\n", htmlPath)
		}
		return c.printJSON(msg)
	}
	c.printMessage(msg, htmlPath)
	return exitOK
}

// writePreviewHTML writes an email's HTML to --html-out, or else to
// <template>[.<locale>].html in --out-dir (created if need be), and
// returns the path; "" when the message has no HTML.
func writePreviewHTML(o previewOptions, template, locale, html string) (string, error) {
	if html == "" {
		return "", nil
	}
	path := o.htmlOut
	if path == "" {
		name := template
		if locale != "" {
			name += "." + locale
		}
		path = filepath.Join(o.outDir, name+".html")
		if err := os.MkdirAll(o.outDir, 0o755); err != nil {
			return "", fmt.Errorf("create the preview folder: %w", err)
		}
	}
	if err := os.WriteFile(path, []byte(html), 0o644); err != nil {
		return "", fmt.Errorf("write the HTML: %w", err)
	}
	return path, nil
}

// previewLinks signs preview links with a fixed development key: preview
// URLs verify only against a local dev server.
func previewLinks(base string) (*tracking.Links, error) {
	signer, err := tracking.NewSigner(tracking.Key{ID: "preview", Secret: []byte("journeys preview signing key, not a secret")})
	if err != nil {
		return nil, err
	}
	return tracking.NewLinks(base, signer, "")
}

func readContact(path string, pc *previewContact) error {
	if err := readJSON(path, pc); err != nil {
		return err
	}
	if pc.Attributes == nil {
		var flat map[string]any
		if err := readJSON(path, &flat); err != nil {
			return err
		}
		delete(flat, "id")
		delete(flat, "owner")
		pc.Attributes = flat
	}
	return nil
}

// printMessage prints a rendered message; htmlPath is where its HTML was
// written.
func (c *cli) printMessage(m *content.Message, htmlPath string) {
	w := c.stdout
	locale := m.Locale
	if locale == "" {
		locale = "default"
	}
	fmt.Fprintf(w, "template:  %s v%d (%s, %s, locale %s", m.Template, m.Version, m.Channel, m.Kind, locale)
	if m.Topic != "" {
		fmt.Fprintf(w, ", topic %s", m.Topic)
	}
	fmt.Fprintln(w, ")")
	if m.Channel == content.Email {
		fmt.Fprintf(w, "subject:   %s\npreheader: %s\n", m.Subject, m.Preheader)
	}
	for _, h := range m.Headers {
		fmt.Fprintf(w, "header:    %s: %s\n", h.Name, h.Value)
	}
	if len(m.TrackedLinks) > 0 {
		fmt.Fprintf(w, "tracked:   %d links\n", len(m.TrackedLinks))
	}
	if m.SMS != nil {
		fmt.Fprintf(w, "sms:       %s, %d units, %d segment(s)\n", m.SMS.Encoding, m.SMS.Units, m.SMS.Count)
	}
	if m.Payload != nil {
		fmt.Fprintf(w, "payload:   %s\n", m.Payload)
	}
	if m.Text != "" {
		fmt.Fprintf(w, "\n%s", m.Text)
		if !strings.HasSuffix(m.Text, "\n") {
			fmt.Fprintln(w)
		}
	}
	if htmlPath != "" {
		fmt.Fprintf(w, "html:      %s (%d bytes)\n", htmlPath, len(m.HTML))
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
