package linkedintest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/linkedin"
	"github.com/journeys-oss/journeys/internal/linkedin/restli"
)

// getLead serves GET /rest/leadFormResponses/{id}. With a fields projection
// naming form:(...), the lead carries its exact form version, as LinkedIn's
// decorated field does.
func (s *Server) getLead(w http.ResponseWriter, r *http.Request) int {
	id := r.PathValue("id")
	q, err := restli.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", err.Error())
	}
	s.mu.Lock()
	l, ok := s.leads[id]
	s.mu.Unlock()
	if !ok {
		return writeError(w, http.StatusNotFound, "NOT_FOUND", "Not Found")
	}
	return writeJSON(w, http.StatusOK, s.project(l, q["fields"]))
}

func (s *Server) project(l linkedin.Lead, fields string) linkedin.Lead {
	l.Form = nil
	if !strings.Contains(fields, "form:(") {
		return l
	}
	v, err := l.Version()
	if err != nil {
		return l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.forms[v]; ok {
		l.Form = &f
	}
	return l
}

// findLeads serves the owner finder: q=owner, owner=(<kind>:<urn>),
// leadType=(leadType:<T>), limitedToTestLeads, submittedAtTimeRange=
// (start:<ms>,end:<ms>), count, start. Leads are ordered by submittedAt then
// id; the range is inclusive at both ends.
func (s *Server) findLeads(w http.ResponseWriter, r *http.Request) int {
	q, err := restli.ParseQuery(r.URL.RawQuery)
	if err != nil || q["q"] != "owner" {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "q=owner is required")
	}
	owner, err := decodeUnion(q["owner"])
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "owner: "+err.Error())
	}
	leadType, err := decodeField(q["leadType"], "leadType")
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "leadType: "+err.Error())
	}
	from, to, err := decodeRange(q["submittedAtTimeRange"])
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "submittedAtTimeRange: "+err.Error())
	}
	count, start, err := paging(q)
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", err.Error())
	}
	testOnly := q["limitedToTestLeads"] == "true"
	s.mu.Lock()
	var match []linkedin.Lead
	for _, l := range s.leads {
		if l.Owner == owner && l.LeadType == leadType && l.SubmittedAt >= from && l.SubmittedAt <= to && (!testOnly || l.TestLead) {
			match = append(match, l)
		}
	}
	s.mu.Unlock()
	sort.Slice(match, func(i, j int) bool {
		if match[i].SubmittedAt != match[j].SubmittedAt {
			return match[i].SubmittedAt < match[j].SubmittedAt
		}
		return match[i].ID < match[j].ID
	})
	elements := []linkedin.Lead{}
	for i := start; i < len(match) && i < start+count; i++ {
		elements = append(elements, s.project(match[i], q["fields"]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"paging":   map[string]any{"start": start, "count": count, "total": len(match), "links": []any{}},
		"elements": elements,
	})
}

// getForm serves GET /rest/leadForms/{id}: the form's highest version.
func (s *Server) getForm(w http.ResponseWriter, r *http.Request) int {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "form id must be a number")
	}
	s.mu.Lock()
	f, ok := s.forms[linkedin.FormVersion{FormID: id, Version: s.latest[id]}]
	s.mu.Unlock()
	if !ok {
		return writeError(w, http.StatusNotFound, "NOT_FOUND", "Not Found")
	}
	return writeJSON(w, http.StatusOK, f)
}

// subscribe serves POST /rest/leadNotifications: 201 with the new id in
// x-restli-id, as Rest.li create does.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) int {
	var sub linkedin.Subscription
	if err := json.NewDecoder(r.Body).Decode(&sub); err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "body: "+err.Error())
	}
	if msg := s.checkSubscription(r, sub); msg != "" {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", msg)
	}
	s.mu.Lock()
	s.nextSub++
	sub.ID = strconv.Itoa(s.nextSub)
	s.subs[sub.ID] = sub
	s.mu.Unlock()
	w.Header().Set("X-RestLi-Id", sub.ID)
	w.Header().Set("X-RestLi-Protocol-Version", linkedin.RestliProtocolVersion)
	w.WriteHeader(http.StatusCreated)
	return http.StatusCreated
}

func (s *Server) checkSubscription(r *http.Request, sub linkedin.Subscription) string {
	u, err := url.Parse(sub.Webhook)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return "webhook must be an absolute URL"
	case s.opts.RequireHTTPS && u.Scheme != "https":
		return "webhook must use https"
	case sub.Owner.Kind != "sponsoredAccount" && sub.Owner.Kind != "organization":
		return "owner must be sponsoredAccount or organization"
	case sub.LeadType == "":
		return "leadType is required"
	}
	if s.opts.ValidateOnSubscribe {
		snd := &Sender{ClientSecret: s.opts.ClientSecret, HTTPClient: s.opts.HTTPClient}
		if err := snd.Validate(r.Context(), sub.Webhook); err != nil {
			return "webhook failed validation: " + err.Error()
		}
	}
	return ""
}

// findSubscriptions serves q=criteria&owner=(value:(<kind>:<urn>))&leadType=(leadType:<T>).
func (s *Server) findSubscriptions(w http.ResponseWriter, r *http.Request) int {
	q, err := restli.ParseQuery(r.URL.RawQuery)
	if err != nil || q["q"] != "criteria" {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "q=criteria is required")
	}
	ownerVal, err := restli.Decode(q["owner"])
	obj, _ := ownerVal.(restli.Object)
	inner, _ := obj.Get("value")
	owner, uerr := unionOf(inner)
	if err != nil || uerr != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "owner must be (value:(<kind>:<urn>))")
	}
	leadType, err := decodeField(q["leadType"], "leadType")
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", "leadType: "+err.Error())
	}
	count, start, err := paging(q)
	if err != nil {
		return writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", err.Error())
	}
	all := []linkedin.Subscription{}
	for _, sub := range s.Subscriptions() {
		if sub.Owner == owner && sub.LeadType == leadType {
			all = append(all, sub)
		}
	}
	page := all[min(start, len(all)):min(start+count, len(all))]
	return writeJSON(w, http.StatusOK, map[string]any{
		"paging":   map[string]any{"start": start, "count": count, "total": len(all), "links": []any{}},
		"elements": page,
	})
}

// unsubscribe serves DELETE /rest/leadNotifications/{id}: 204, or 404.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) int {
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.subs[id]
	delete(s.subs, id)
	s.mu.Unlock()
	if !ok {
		return writeError(w, http.StatusNotFound, "NOT_FOUND", "Not Found")
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

func decodeUnion(raw string) (linkedin.Union, error) {
	v, err := restli.Decode(raw)
	if err != nil {
		return linkedin.Union{}, err
	}
	return unionOf(v)
}

func unionOf(v restli.Value) (linkedin.Union, error) {
	obj, ok := v.(restli.Object)
	if !ok || len(obj) != 1 {
		return linkedin.Union{}, fmt.Errorf("want (<kind>:<urn>)")
	}
	urn, ok := obj[0].Value.(string)
	if !ok || !strings.HasPrefix(urn, "urn:li:") {
		return linkedin.Union{}, fmt.Errorf("member %s is not a URN", obj[0].Key)
	}
	return linkedin.Union{Kind: obj[0].Key, URN: urn}, nil
}

// decodeField reads (<key>:<value>) and returns value.
func decodeField(raw, key string) (string, error) {
	v, err := restli.Decode(raw)
	if err != nil {
		return "", err
	}
	obj, ok := v.(restli.Object)
	if !ok || obj.String(key) == "" {
		return "", fmt.Errorf("want (%s:<value>)", key)
	}
	return obj.String(key), nil
}

func decodeRange(raw string) (from, to int64, err error) {
	v, err := restli.Decode(raw)
	if err != nil {
		return 0, 0, err
	}
	obj, _ := v.(restli.Object)
	from, err1 := strconv.ParseInt(obj.String("start"), 10, 64)
	to, err2 := strconv.ParseInt(obj.String("end"), 10, 64)
	if err1 != nil || err2 != nil || from > to {
		return 0, 0, fmt.Errorf("want (start:<ms>,end:<ms>) with start <= end")
	}
	return from, to, nil
}

func paging(q map[string]string) (count, start int, err error) {
	count, start = 10, 0
	if v, ok := q["count"]; ok {
		if count, err = strconv.Atoi(v); err != nil || count < 1 || count > 1000 {
			return 0, 0, fmt.Errorf("count must be 1..1000")
		}
	}
	if v, ok := q["start"]; ok {
		if start, err = strconv.Atoi(v); err != nil || start < 0 {
			return 0, 0, fmt.Errorf("start must be >= 0")
		}
	}
	return count, start, nil
}
