package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/journeys-oss/journeys/internal/content"
	"github.com/journeys-oss/journeys/internal/handler"
	"github.com/journeys-oss/journeys/internal/manage"
)

// previewAPI renders a template for a stored contact, and makes a test
// send, through the management API: the contact's data stays where it is
// stored, and the send goes through the business unit's real channel.
func (c *cli) previewAPI(o previewOptions) int {
	switch {
	case strings.HasSuffix(o.template, ".liquid"):
		fmt.Fprintln(c.stderr, "journeys preview: through the API, name a published template by id, not a .liquid file")
		return exitUsage
	case o.api == "" && !isFile(o.contact):
		fmt.Fprintf(c.stderr, "journeys preview: %s is not a file; to preview a stored contact give --api URL or set %s\n", o.contact, envAPI)
		return exitUsage
	}
	ctx := context.Background()
	api := &apiOptions{url: &o.api, iam: &o.iam, bu: &o.bu, asJSON: &o.json}
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
		return exitUsage
	}
	req := manage.PreviewRequest{Template: o.template, Locale: o.locale, SendTo: o.sendTo}
	if o.event != "" {
		if err := readJSON(o.event, &req.Event); err != nil {
			fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
			return exitFailed
		}
	}
	if isFile(o.contact) {
		var pc previewContact
		if err := readContact(o.contact, &pc); err != nil {
			fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
			return exitFailed
		}
		req.Values = pc.Attributes
	} else {
		req.Contact = o.contact
	}
	res, err := client.Preview(ctx, req)
	if err != nil {
		return c.apiFailed("preview", err)
	}
	return c.printRendered(res, o)
}

// printRendered prints a render result as preview prints a local render.
func (c *cli) printRendered(res handler.RenderResult, o previewOptions) int {
	htmlPath, err := writePreviewHTML(o, res.Template, res.Locale, res.HTML)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys preview: %v\n", err)
		return exitFailed
	}
	if o.json {
		if htmlPath != "" {
			fmt.Fprintf(c.stderr, "html: written to %s\n", htmlPath)
		}
		return c.printJSON(res)
	}
	msg := &content.Message{Template: res.Template, Version: res.Version, Locale: res.Locale,
		Channel: content.Channel(res.Channel), Kind: content.Kind(res.Kind), Topic: res.Topic,
		Subject: res.Subject, Preheader: res.Preheader, HTML: res.HTML, Text: res.Text, Payload: res.Payload}
	for _, h := range res.Headers {
		msg.Headers = append(msg.Headers, content.Header{Name: h.Name, Value: h.Value})
	}
	c.printMessage(msg, htmlPath)
	if res.Segments > 0 {
		fmt.Fprintf(c.stdout, "sms:       %d segment(s)\n", res.Segments)
	}
	if res.Sent {
		fmt.Fprintf(c.stdout, "test send: sent as %s (provider id %s)\n", res.MessageID, firstNonEmpty(res.ProviderID, "none"))
	}
	return exitOK
}

// isFile says whether path names a regular file.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
