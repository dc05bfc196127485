package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/journeys-oss/journeys/internal/linkedin/restli"
)

// leadProjection asks for every field Map needs plus the form version the
// lead answered (the decorated form:(...) field), which saves a forms call
// and is exact by construction. LinkedIn's documented example projection is
// ownerInfo,associatedEntityInfo,leadMetadataInfo,owner,leadType,
// versionedLeadGenFormUrn,id,submittedAt,testLead,formResponse,
// form:(hiddenFields,creationLocale,name,id,content); we add the raw
// associatedEntity, leadMetadata and submitter and the form's versionId, and
// drop the *Info decorations we do not read.
const leadProjection = "id,owner,submitter,leadType,leadMetadata,versionedLeadGenFormUrn,submittedAt,testLead," +
	"associatedEntity,formResponse,form:(id,versionId,name,hiddenFields,creationLocale,content)"

// Lead fetches one lead by id or by its urn:li:leadGenFormResponse URN.
// The id is Rest.li-encoded in the path. The returned lead usually carries
// its form version (Lead.Form). Errors: *APIError (ErrNotFound when LinkedIn
// no longer keeps it, after 365 days or a deletion) or a *FieldError
// wrapping ErrInvalidLead.
func (c *Client) Lead(ctx context.Context, idOrURN string) (Lead, error) {
	id, err := LeadIDFromURN(idOrURN)
	if err != nil {
		return Lead{}, fmt.Errorf("get lead: %w", err)
	}
	res, err := c.do(ctx, call{
		op: "get lead " + id, method: http.MethodGet,
		path:     "/rest/leadFormResponses/" + restli.EncodeString(id),
		rawQuery: (&restli.Query{}).AddRaw("fields", leadProjection).Encode(),
	})
	if err != nil {
		return Lead{}, err
	}
	lead, err := ParseLead(res.body)
	if err != nil {
		return Lead{}, fmt.Errorf("get lead %s: %w", id, err)
	}
	if err := fillFormVersion(lead); err != nil {
		return Lead{}, err
	}
	return lead, nil
}

// fillFormVersion sets Form.VersionID from the lead's URN when the projected
// form left it out, and refuses a projected form that is another form.
func fillFormVersion(l Lead) error {
	if l.Form == nil {
		return nil
	}
	v, _ := l.Version() // validated by ParseLead
	if l.Form.VersionID == 0 {
		l.Form.VersionID = v.Version
	}
	if got := l.Form.Version(); got != v {
		return fmt.Errorf("lead %s: %w", l.ID, &FormVersionError{Want: v, Got: got})
	}
	return nil
}

// A LeadQuery selects leads for a backfill with the owner finder.
type LeadQuery struct {
	// Owner is the sponsoredAccount or organization whose leads to list.
	Owner Union
	// LeadType defaults to SPONSORED.
	LeadType string
	// TestLeadsOnly sets limitedToTestLeads=true.
	TestLeadsOnly bool
	// Since and Until bound submittedAt (LinkedIn keeps 365 days). Both
	// are required: an open range is a mistake in a backfill.
	Since, Until time.Time
	// PageSize is the count parameter; 10 (LinkedIn's example) when zero.
	PageSize int
}

// A Page is one finder response.
type Page struct {
	Leads []Lead
	// Start is the offset of Leads[0]; Total is LinkedIn's total, -1 when
	// it sent none.
	Start, Total int
}

// A LeadPager walks the owner finder page by page. Its exported Start is the
// offset of the next page, so a caller can checkpoint and resume. Not safe
// for concurrent use.
type LeadPager struct {
	Start int
	c     *Client
	q     LeadQuery
	done  bool
}

// Leads returns a pager over q starting at offset start (0 for a new walk).
func (c *Client) Leads(q LeadQuery, start int) *LeadPager {
	if q.LeadType == "" {
		q.LeadType = LeadTypeSponsored
	}
	if q.PageSize <= 0 {
		q.PageSize = 10
	}
	return &LeadPager{Start: start, c: c, q: q}
}

// Done reports whether the last page was read.
func (p *LeadPager) Done() bool { return p.done }

// Next fetches the next page. After the last page Done is true; calling Next
// again returns an empty page. Errors are *APIError or a *FieldError for a
// malformed element (the page is not consumed, Start does not move).
func (p *LeadPager) Next(ctx context.Context) (Page, error) {
	if p.done {
		return Page{Start: p.Start, Total: -1}, nil
	}
	if p.q.Owner.IsZero() || p.q.Since.IsZero() || p.q.Until.IsZero() || !p.q.Since.Before(p.q.Until) {
		return Page{}, fmt.Errorf("list leads: owner and a time range (since before until) are required")
	}
	res, err := p.c.do(ctx, call{op: "list leads", method: http.MethodGet, path: "/rest/leadFormResponses", rawQuery: p.query()})
	if err != nil {
		return Page{}, err
	}
	var doc struct {
		Elements []json.RawMessage `json:"elements"`
		Paging   struct {
			Start int  `json:"start"`
			Count int  `json:"count"`
			Total *int `json:"total"`
		} `json:"paging"`
	}
	if err := json.Unmarshal(res.body, &doc); err != nil {
		return Page{}, fmt.Errorf("list leads at %d: %w", p.Start, err)
	}
	page := Page{Start: p.Start, Total: -1}
	if doc.Paging.Total != nil {
		page.Total = *doc.Paging.Total
	}
	for i, raw := range doc.Elements {
		l, err := ParseLead(raw)
		if err == nil {
			err = fillFormVersion(l)
		}
		if err != nil {
			return Page{}, fmt.Errorf("list leads: element %d: %w", p.Start+i, err)
		}
		page.Leads = append(page.Leads, l)
	}
	p.Start += len(page.Leads)
	p.done = len(page.Leads) < p.q.PageSize || (page.Total >= 0 && p.Start >= page.Total)
	return page, nil
}

// query writes the documented finder:
// q=owner&owner=(sponsoredAccount:urn%3Ali%3A...)&leadType=(leadType:SPONSORED)
// &limitedToTestLeads=false&submittedAtTimeRange=(start:<ms>,end:<ms>)&count=10&start=0
func (p *LeadPager) query() string {
	q := &restli.Query{}
	q.Add("q", "owner").
		Add("owner", p.q.Owner.restli()).
		Add("leadType", restli.Object{{Key: "leadType", Value: p.q.LeadType}}).
		Add("limitedToTestLeads", strconv.FormatBool(p.q.TestLeadsOnly)).
		Add("submittedAtTimeRange", restli.Object{
			{Key: "start", Value: strconv.FormatInt(p.q.Since.UnixMilli(), 10)},
			{Key: "end", Value: strconv.FormatInt(p.q.Until.UnixMilli(), 10)},
		}).
		AddRaw("fields", leadProjection).
		Add("count", strconv.Itoa(p.q.PageSize)).
		Add("start", strconv.Itoa(p.Start))
	return q.Encode()
}
