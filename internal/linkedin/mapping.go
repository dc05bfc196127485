package linkedin

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Contact attribute names produced by predefined fields.
const (
	AttrFirstName = "firstName"
	AttrLastName  = "lastName"
	AttrEmail     = "email"
	AttrWorkEmail = "workEmail"
	AttrCompany   = "company"
	AttrJobTitle  = "jobTitle"
	AttrCountry   = "country"
	AttrPhone     = "phone"
	AttrSeniority = "seniority"
	AttrIndustry  = "industry"
)

// PredefinedAttribute returns the contact attribute a LinkedIn predefined
// field fills, and false for a field this package does not know (a newer
// enum value: map it per form with FormMapping.Predefined).
func PredefinedAttribute(field string) (string, bool) {
	switch field {
	case "FIRST_NAME":
		return AttrFirstName, true
	case "LAST_NAME":
		return AttrLastName, true
	case "EMAIL":
		return AttrEmail, true
	case "WORK_EMAIL":
		return AttrWorkEmail, true
	case "COMPANY_NAME":
		return AttrCompany, true
	case "JOB_TITLE":
		return AttrJobTitle, true
	case "COUNTRY":
		return AttrCountry, true
	case "PHONE_NUMBER":
		return AttrPhone, true
	case "WORK_PHONE_NUMBER":
		return "workPhone", true
	case "SENIORITY":
		return AttrSeniority, true
	case "INDUSTRY":
		return AttrIndustry, true
	case "CITY":
		return "city", true
	case "STATE":
		return "state", true
	case "ZIP_CODE":
		return "postalCode", true
	case "JOB_FUNCTION":
		return "jobFunction", true
	case "COMPANY_SIZE":
		return "companySize", true
	case "LINKEDIN_PROFILE_LINK":
		return "linkedinProfile", true
	case "GENDER":
		return "gender", true
	case "DEGREE":
		return "degree", true
	case "FIELD_OF_STUDY":
		return "fieldOfStudy", true
	case "SCHOOL":
		return "school", true
	case "START_DATE":
		return "startDate", true
	case "GRADUATION_DATE":
		return "graduationDate", true
	}
	return "", false
}

// ConsentTarget says what an accepted consent checkbox grants.
type ConsentTarget struct {
	Channel string // email, sms, ...
	Topic   string // newsletter, product-updates, ...
}

// A FormMapping configures one form (or the default for all forms).
type FormMapping struct {
	// Questions maps a custom question, by its name or its decimal
	// questionId, to a contact attribute.
	Questions map[string]string
	// HiddenFields maps a hidden field name to a contact attribute.
	HiddenFields map[string]string
	// Consents maps a consent id of the form's legalInfo to what it grants.
	Consents map[int64]ConsentTarget
	// Predefined overrides or extends PredefinedAttribute.
	Predefined map[string]string
}

// Mapping is the per-tenant lead mapping: Default applies to every form,
// and an entry in Forms (by form id) adds to it and wins on conflicts.
type Mapping struct {
	Default FormMapping
	Forms   map[int64]FormMapping
}

// A Consent is an accepted, mapped consent checkbox.
type Consent struct {
	ConsentID int64
	Channel   string
	Topic     string
	// Text is the consent wording the member ticked, kept as evidence.
	Text string
}

// MappedLead is a lead turned into contact data. It is a plain value, not
// tied to any store; the caller applies policy (skip test leads, require
// email, ...).
type MappedLead struct {
	LeadID      string
	Form        FormVersion
	SubmittedAt time.Time
	LeadType    string
	Owner       Union
	// Test is LinkedIn's testLead flag.
	Test bool
	// MissingEmail is set when no usable email address was found.
	MissingEmail bool
	Attributes   map[string]string
	Consents     []Consent
	// Problems lists what could not be mapped, by question, option or
	// consent id, never by answer text.
	Problems []string
}

// Map maps lead against form, which must be the exact version the lead
// names: another version gives a *FormVersionError, since question ids
// resolved against other questions would fill wrong attributes.
// Everything else that does not fit becomes a Problem, not an error.
func (m Mapping) Map(lead Lead, form Form) (MappedLead, error) {
	v, err := lead.Version()
	if err != nil {
		return MappedLead{}, fmt.Errorf("map lead %s: %w", lead.ID, err)
	}
	if form.Version() != v {
		return MappedLead{}, fmt.Errorf("map lead %s: %w", lead.ID, &FormVersionError{Want: v, Got: form.Version()})
	}
	fm := m.forForm(v.FormID)
	out := MappedLead{
		LeadID: lead.ID, Form: v, SubmittedAt: lead.Submitted(), LeadType: lead.LeadType,
		Owner: lead.Owner, Test: lead.TestLead, Attributes: map[string]string{},
	}
	mp := &mapper{fm: fm, form: form, out: &out, from: map[string]string{}}
	for _, a := range lead.FormResponse.Answers {
		mp.answer(a)
	}
	mp.hiddenFields()
	mp.consents(lead.FormResponse.ConsentResponses)
	mp.email()
	return out, nil
}

// forForm merges the default mapping with the form's own.
func (m Mapping) forForm(id int64) FormMapping {
	own, ok := m.Forms[id]
	if !ok {
		return m.Default
	}
	return FormMapping{
		Questions:    mergeMaps(m.Default.Questions, own.Questions),
		HiddenFields: mergeMaps(m.Default.HiddenFields, own.HiddenFields),
		Consents:     mergeMaps(m.Default.Consents, own.Consents),
		Predefined:   mergeMaps(m.Default.Predefined, own.Predefined),
	}
}

func mergeMaps[K comparable, V any](base, over map[K]V) map[K]V {
	out := make(map[K]V, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

type mapper struct {
	fm   FormMapping
	form Form
	out  *MappedLead
	from map[string]string // attribute -> what set it, to report conflicts
}

func (mp *mapper) problem(format string, args ...any) {
	mp.out.Problems = append(mp.out.Problems, fmt.Sprintf(format, args...))
}

func (mp *mapper) answer(a Answer) {
	q, ok := mp.form.question(a.QuestionID)
	if !ok {
		mp.problem("answer to question %d, which form version %s does not have", a.QuestionID, mp.form.Version())
		return
	}
	attr, ok := mp.attributeFor(q)
	if !ok {
		return
	}
	value, ok := mp.value(q, a)
	if !ok || value == "" {
		return
	}
	mp.set(attr, value, fmt.Sprintf("question %d", q.QuestionID))
}

// attributeFor finds the attribute of a question: the form's configured
// mapping by name or id first (it may override a predefined field), then the
// predefined field.
func (mp *mapper) attributeFor(q Question) (string, bool) {
	if attr, ok := mp.fm.Questions[strconv.FormatInt(q.QuestionID, 10)]; ok {
		return attr, attr != ""
	}
	if attr, ok := mp.fm.Questions[q.Name]; ok && q.Name != "" {
		return attr, attr != ""
	}
	if q.PredefinedField != "" {
		if attr, ok := mp.fm.Predefined[q.PredefinedField]; ok {
			return attr, attr != ""
		}
		if attr, ok := PredefinedAttribute(q.PredefinedField); ok {
			return attr, true
		}
		mp.problem("question %d has predefined field %s, which has no mapping", q.QuestionID, q.PredefinedField)
		return "", false
	}
	mp.problem("custom question %d (%q) has no mapping", q.QuestionID, q.Name)
	return "", false
}

// value reads the answer: text as is, options as their localized text joined
// with "; " in the order the member's answer lists them.
func (mp *mapper) value(q Question, a Answer) (string, bool) {
	d := a.AnswerDetails
	switch {
	case d.TextQuestionAnswer != nil && d.MultipleChoiceAnswer == nil:
		if q.QuestionDetails.TextQuestionDetails == nil && q.QuestionDetails.MultipleChoiceQuestionDetails != nil {
			mp.problem("question %d is multiple choice but got a text answer", q.QuestionID)
			return "", false
		}
		return strings.TrimSpace(d.TextQuestionAnswer.Answer), true
	case d.MultipleChoiceAnswer != nil && d.TextQuestionAnswer == nil:
		mc := q.QuestionDetails.MultipleChoiceQuestionDetails
		if mc == nil {
			mp.problem("question %d is not multiple choice but got options", q.QuestionID)
			return "", false
		}
		var texts []string
		for _, id := range d.MultipleChoiceAnswer.Options {
			text, ok := optionText(mc, id, mp.form.CreationLocale)
			if !ok {
				mp.problem("question %d: option %d is not in form version %s", q.QuestionID, id, mp.form.Version())
				continue
			}
			texts = append(texts, text)
		}
		return strings.Join(texts, "; "), len(texts) > 0
	}
	mp.problem("question %d: answer has no single known answer type", q.QuestionID)
	return "", false
}

func optionText(mc *MultipleChoiceQuestionDetails, id int64, l *Locale) (string, bool) {
	for _, o := range mc.Options {
		if o.ID == id {
			return o.Text.Text(l), true
		}
	}
	return "", false
}

func (mp *mapper) set(attr, value, source string) {
	if prev, ok := mp.from[attr]; ok {
		mp.problem("attribute %s set by %s and %s; kept the first", attr, prev, source)
		return
	}
	mp.from[attr] = source
	mp.out.Attributes[attr] = value
}

// hiddenFields maps the form version's hidden fields, whose values are fixed
// per form version (campaign tags), in name order.
func (mp *mapper) hiddenFields() {
	fields := append([]HiddenField(nil), mp.form.HiddenFields...)
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	for _, h := range fields {
		attr, ok := mp.fm.HiddenFields[h.Name]
		if !ok || attr == "" {
			mp.problem("hidden field %q has no mapping", h.Name)
			continue
		}
		mp.set(attr, h.Value, fmt.Sprintf("hidden field %q", h.Name))
	}
}

// consents keeps accepted consents only, each matched to the form's legal
// info and to a configured target. Consent is never inferred from anything
// else (an answer, a hidden field, the act of submitting).
func (mp *mapper) consents(responses []ConsentResponse) {
	for _, r := range responses {
		def, ok := mp.form.consent(r.ConsentID)
		if !ok {
			mp.problem("consent %d is not in form version %s", r.ConsentID, mp.form.Version())
			continue
		}
		if !r.Accepted {
			continue
		}
		target, ok := mp.fm.Consents[r.ConsentID]
		if !ok {
			mp.problem("consent %d was accepted but has no mapping", r.ConsentID)
			continue
		}
		mp.out.Consents = append(mp.out.Consents, Consent{
			ConsentID: r.ConsentID, Channel: target.Channel, Topic: target.Topic,
			Text: def.Consent.Text(mp.form.CreationLocale),
		})
	}
	sort.SliceStable(mp.out.Consents, func(i, j int) bool { return mp.out.Consents[i].ConsentID < mp.out.Consents[j].ConsentID })
}

// email checks the address and, when the form asked only for a work email,
// uses that one: the contact's address is whichever the member gave us.
func (mp *mapper) email() {
	attrs := mp.out.Attributes
	if attrs[AttrEmail] == "" && attrs[AttrWorkEmail] != "" {
		attrs[AttrEmail] = attrs[AttrWorkEmail]
	}
	if e, ok := attrs[AttrEmail]; ok && !plausibleEmail(e) {
		mp.problem("email answer is not an address")
		delete(attrs, AttrEmail)
	}
	mp.out.MissingEmail = attrs[AttrEmail] == ""
	if mp.out.MissingEmail {
		mp.problem("lead has no email address")
	}
}

func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " \t\r\n<>,;") &&
		!strings.Contains(domain, "@") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
