package content

import (
	"context"
	"errors"
)

// ErrNotFound is returned (wrapped) by a Source, and by the Library, for a
// template, locale variant, version or block that does not exist.
var ErrNotFound = errors.New("content: not found")

// A Source supplies templates and blocks. The Library asks for exact
// matches and does locale fallback and version resolution itself; a Source
// only needs to answer "this one, or ErrNotFound". FileSource reads
// journeys/content/; a store-backed Source serves the deployed system.
// Implementations must be safe for concurrent use.
type Source interface {
	// Template returns template id of business unit bu in exactly locale
	// ("" is the default variant) at version (0: the latest).
	Template(ctx context.Context, bu, id, locale string, version int) (*Template, error)
	// Block returns block name as bu sees it (its own block first, else the
	// shared one) in exactly locale at version (0: the latest version).
	Block(ctx context.Context, bu, name, locale string, version int) (*Block, error)
	// List returns what bu can use: every template variant and block
	// version, for Check and for "did you mean" hints.
	List(ctx context.Context, bu string) (*Index, error)
}

// Channel is what a template renders for.
type Channel string

// Channels.
const (
	Email  Channel = "email"
	SMS    Channel = "sms"
	Custom Channel = "custom" // a JSON payload for a custom channel
)

// Kind says whether a message is commercial.
type Kind string

// Kinds. Marketing email always carries an unsubscribe link and the
// List-Unsubscribe headers; transactional messages carry neither.
const (
	Marketing     Kind = "marketing"
	Transactional Kind = "transactional"
)

// PartName names one Liquid source of a template.
type PartName string

// Parts. Email has subject, preheader (optional), html and text (optional:
// generated from html when absent); SMS has text; Custom has payload.
const (
	PartSubject   PartName = "subject"
	PartPreheader PartName = "preheader"
	PartHTML      PartName = "html"
	PartText      PartName = "text"
	PartPayload   PartName = "payload"
)

// A Part is one Liquid source of a template and where it starts in its file.
type Part struct {
	Name   PartName
	Source string
	Pos    Pos
}

// A Template is one locale variant of one version of a message template.
type Template struct {
	ID          string
	BU          string // "" when shared by every business unit
	Locale      string // "" for the default variant
	Version     int
	Channel     Channel
	Kind        Kind
	Topic       string // consent topic; marketing unsubscribes name it
	Tracking    bool   // rewrite links and add the open pixel (email)
	Description string
	Parts       []Part
	File        string // where it came from, for positions
}

// Part returns the named part, or nil.
func (t *Template) Part(name PartName) *Part {
	for i := range t.Parts {
		if t.Parts[i].Name == name {
			return &t.Parts[i]
		}
	}
	return nil
}

// A Block is one locale variant of one version of a reusable fragment.
type Block struct {
	Name        string
	BU          string // "" when shared
	Locale      string
	Version     int
	Params      []string // the variables a render tag may pass
	Description string
	Source      string
	Pos         Pos // where Source starts
	File        string
}

// An Index lists what a business unit can use.
type Index struct {
	Templates []TemplateEntry
	Blocks    []BlockEntry
}

// A TemplateEntry is one template variant in an Index.
type TemplateEntry struct {
	ID, BU, Locale string
	Version        int
	Channel        Channel
}

// A BlockEntry is one block variant in an Index.
type BlockEntry struct {
	Name, BU, Locale string
	Version          int
}
