package content

import (
	"strings"

	"github.com/journeys-oss/journeys/internal/content/tracking"
)

// An htmlPass walks rendered HTML once and does what the email needs of
// it: the plain-text part (when text is set), and the final HTML (when
// rewrite is set) with links wrapped for tracking or neutralised, the
// hidden preheader first in the body and the closing additions (an
// unsubscribe line, the open pixel) last in it. HTML comments (Outlook
// conditional markup) are copied unchanged and give no text.
type htmlPass struct {
	text *textConv

	rewrite bool
	out     []byte
	links   *tracking.Links       // nil: no click tracking
	clicks  *tracking.ClickWriter // the message's click URLs, over links
	tracked []string

	preheader string // inserted after <body ...>, hidden
	closing   []byte // inserted before </body>

	last       int // html copied up to here
	bodyOpened bool
	bodyClosed bool
}

func (p *htmlPass) run(doc string) {
	for i := 0; i < len(doc); {
		j := strings.IndexByte(doc[i:], '<')
		if j < 0 {
			p.textRun(doc[i:])
			break
		}
		p.textRun(doc[i : i+j])
		i += j
		if strings.HasPrefix(doc[i:], "<!--") {
			end := strings.Index(doc[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end, ok := p.tag(doc, i)
		if !ok {
			p.textRun(doc[i:])
			break
		}
		i = end
	}
	if p.text != nil {
		p.text.flushLink()
	}
	if p.rewrite {
		p.finish(doc)
	}
}

func (p *htmlPass) textRun(s string) {
	if p.text != nil {
		p.text.text(s)
	}
}

// tag handles the tag starting at doc[i] and returns the offset after it.
func (p *htmlPass) tag(doc string, i int) (int, bool) {
	link, isLink := parseLinkTag(doc, i)
	end := link.end
	if !isLink {
		e := strings.IndexByte(doc[i:], '>')
		if e < 0 {
			return 0, false
		}
		end = i + e + 1
	}
	if p.text != nil {
		p.text.tag(doc[i+1 : end-1])
	}
	if !p.rewrite {
		return end, true
	}
	switch {
	case isLink && link.hrefStart >= 0:
		p.link(doc, link)
	case !p.bodyOpened && hasPrefixFold(doc[i:], "<body") && (end-i == 6 || isSpace(doc[i+5])):
		p.bodyOpened = true
		p.out = append(p.out, doc[p.last:end]...)
		p.last = end
		p.appendPreheader()
	case !p.bodyClosed && hasPrefixFold(doc[i:], "</body"):
		p.bodyClosed = true
		p.out = append(p.out, doc[p.last:i]...)
		p.last = i
		p.out = append(p.out, p.closing...)
	}
	return end, true
}

// link wraps or neutralises one href.
func (p *htmlPass) link(doc string, t linkTag) {
	dest := t.href(doc)
	repl, track := classifyLink(dest, p.links, t.noTrack)
	if !track && repl == "" {
		return
	}
	p.out = append(p.out, doc[p.last:t.hrefStart]...)
	p.last = t.hrefEnd
	if !track {
		p.out = append(p.out, repl...)
		return
	}
	// dest may be a view of the renderer's buffer (email renders the
	// HTML part in place): the message keeps its own copy.
	p.tracked = append(p.tracked, strings.Clone(dest))
	start := len(p.out)
	p.out = p.clicks.Append(p.out, dest)
	if p.text != nil {
		// The text part shows this link (its <a> was just read) with the
		// same click URL. Output only grows, so the view stays valid even
		// when out moves.
		p.text.click = p.out[start:len(p.out):len(p.out)]
	}
}

func (p *htmlPass) appendPreheader() {
	if p.preheader == "" {
		return
	}
	p.out = append(p.out, preheaderOpen...)
	p.out = appendHTML(p.out, p.preheader)
	p.out = append(p.out, "</div>"...)
}

// finish copies the rest; without <body> the preheader goes first and the
// closing additions last.
func (p *htmlPass) finish(doc string) {
	p.out = append(p.out, doc[p.last:]...)
	if !p.bodyClosed {
		p.out = append(p.out, p.closing...)
	}
	if !p.bodyOpened && p.preheader != "" {
		rest := append([]byte(nil), p.out...)
		p.out = p.out[:0]
		p.appendPreheader()
		p.out = append(p.out, rest...)
	}
}

// HTMLToText makes the plain-text part of an email from its HTML: block
// elements become line breaks, paragraphs and headings blank lines, list
// items "- ", links "text (url)" (just the URL when it is the text),
// images and hidden head, style and script content disappear, entities are
// decoded and runs of white space collapse.
func HTMLToText(doc string) string {
	return string(appendText(make([]byte, 0, len(doc)/2), doc))
}

// appendText appends the text of doc to dst.
func appendText(dst []byte, doc string) []byte {
	p := htmlPass{text: &textConv{out: dst, base: len(dst)}}
	p.run(doc)
	return append(p.text.out, '\n')
}

// appendRewritten appends doc to dst with the href of every <a> and <area>
// whose destination is http or https wrapped in a signed click-tracking URL
// (when lk is set), and script-bearing hrefs (javascript:, vbscript:,
// data:) replaced with "#". It leaves alone mailto:, tel:, anchors,
// relative links, links to the tracking endpoint itself (unsubscribe,
// preferences, view) and links marked data-track="false". Tracked
// destinations are appended to *tracked in order.
func appendRewritten(dst []byte, doc string, lk *tracking.Links, messageID string, tracked *[]string) []byte {
	p := htmlPass{rewrite: true, out: dst, links: lk, tracked: *tracked, bodyOpened: true, bodyClosed: true}
	if lk != nil {
		p.clicks = &tracking.ClickWriter{}
		p.clicks.Reset(lk, messageID)
	}
	p.run(doc)
	*tracked = p.tracked
	return p.out
}
