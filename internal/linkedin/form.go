package linkedin

import (
	"errors"
	"fmt"
	"sort"
)

// ErrInvalidForm is wrapped by ParseForm errors.
var ErrInvalidForm = errors.New("invalid LinkedIn lead form")

// ErrFormVersion is wrapped by *FormVersionError.
var ErrFormVersion = errors.New("form version mismatch")

// A FormVersionError reports a form that is not the version a lead names.
type FormVersionError struct {
	Want FormVersion
	Got  FormVersion
}

func (e *FormVersionError) Error() string {
	return fmt.Sprintf("%v: want %s, got %s", ErrFormVersion, e.Want, e.Got)
}

// Unwrap returns ErrFormVersion.
func (e *FormVersionError) Unwrap() error { return ErrFormVersion }

// A Form is one version of a lead gen form, as GET /rest/leadForms returns it.
type Form struct {
	ID             int64         `json:"id"`
	VersionID      int64         `json:"versionId,omitempty"`
	Name           string        `json:"name,omitempty"`
	Owner          *Union        `json:"owner,omitempty"`
	State          string        `json:"state,omitempty"`
	CreationLocale *Locale       `json:"creationLocale,omitempty"`
	HiddenFields   []HiddenField `json:"hiddenFields,omitempty"`
	Content        FormContent   `json:"content"`
}

// Locale is LinkedIn's {"country": "US", "language": "en"}.
type Locale struct {
	Country  string `json:"country,omitempty"`
	Language string `json:"language,omitempty"`
}

// Key returns the key localized maps use: "en_US", or "en" without country.
func (l Locale) Key() string {
	if l.Country == "" {
		return l.Language
	}
	return l.Language + "_" + l.Country
}

// HiddenField is a name and a fixed value carried with every lead of the
// form version (campaign tags, UTM values).
type HiddenField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// FormContent holds the questions and legal information.
type FormContent struct {
	Questions []Question `json:"questions"`
	LegalInfo *LegalInfo `json:"legalInfo,omitempty"`
}

// A Question is one form field.
type Question struct {
	QuestionID int64             `json:"questionId"`
	Name       string            `json:"name,omitempty"`
	Question   MultiLocaleString `json:"question"`
	// PredefinedField is set for fields prefilled from the member's
	// profile (FIRST_NAME, EMAIL, ...); empty for custom questions.
	PredefinedField  string          `json:"predefinedField,omitempty"`
	QuestionDetails  QuestionDetails `json:"questionDetails"`
	ResponseRequired bool            `json:"responseRequired,omitempty"`
}

// QuestionDetails is a union: text or multiple choice.
type QuestionDetails struct {
	TextQuestionDetails           *TextQuestionDetails           `json:"textQuestionDetails,omitempty"`
	MultipleChoiceQuestionDetails *MultipleChoiceQuestionDetails `json:"multipleChoiceQuestionDetails,omitempty"`
}

// TextQuestionDetails describes a free-text question.
type TextQuestionDetails struct {
	MaxResponseLength int `json:"maxResponseLength,omitempty"`
}

// MultipleChoiceQuestionDetails lists a question's options.
type MultipleChoiceQuestionDetails struct {
	Options []Option `json:"options"`
}

// An Option is one choice; answers name it by ID.
type Option struct {
	ID   int64             `json:"id"`
	Text MultiLocaleString `json:"text"`
}

// LegalInfo holds the consents a member may tick.
type LegalInfo struct {
	LegalInfoID      int64        `json:"legalInfoId,omitempty"`
	PrivacyPolicyURL string       `json:"privacyPolicyUrl,omitempty"`
	Consents         []ConsentDef `json:"consents,omitempty"`
}

// ConsentDef is one consent checkbox of a form.
type ConsentDef struct {
	ID            int64             `json:"id"`
	CheckRequired bool              `json:"checkRequired"`
	Consent       MultiLocaleString `json:"consent"`
}

// MultiLocaleString is LinkedIn's localised text.
type MultiLocaleString struct {
	Localized       map[string]string `json:"localized"`
	PreferredLocale *Locale           `json:"preferredLocale,omitempty"`
}

// Text picks one translation: the preferred locale, then the given locale
// (the form's creation locale), then the first key in sorted order, so the
// choice is deterministic.
func (m MultiLocaleString) Text(l *Locale) string {
	for _, loc := range []*Locale{m.PreferredLocale, l} {
		if loc != nil {
			if s, ok := m.Localized[loc.Key()]; ok {
				return s
			}
		}
	}
	keys := make([]string, 0, len(m.Localized))
	for k := range m.Localized {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return m.Localized[keys[0]]
}

// Version returns the form's FormVersion.
func (f Form) Version() FormVersion { return FormVersion{FormID: f.ID, Version: f.VersionID} }

// ParseForm reads one form strictly: a positive id, questions with ids,
// unique question and option ids. Errors are *FieldError wrapping
// ErrInvalidForm.
func ParseForm(raw []byte) (Form, error) {
	var f Form
	if err := decodeStrict(raw, &f); err != nil {
		return Form{}, &FieldError{Reason: err.Error(), kind: ErrInvalidForm}
	}
	if err := f.validate(); err != nil {
		return Form{}, err
	}
	return f, nil
}

func (f Form) validate() error {
	bad := func(field, reason string) error {
		return &FieldError{Field: field, Reason: reason, kind: ErrInvalidForm}
	}
	if f.ID <= 0 {
		return bad("id", "missing or not positive")
	}
	seen := make(map[int64]bool)
	for i, q := range f.Content.Questions {
		if q.QuestionID == 0 || seen[q.QuestionID] {
			return bad(fmt.Sprintf("content.questions[%d].questionId", i), "missing or repeated")
		}
		seen[q.QuestionID] = true
		if mc := q.QuestionDetails.MultipleChoiceQuestionDetails; mc != nil {
			opts := make(map[int64]bool)
			for _, o := range mc.Options {
				if opts[o.ID] {
					return bad(fmt.Sprintf("content.questions[%d].options", i), "repeated option id")
				}
				opts[o.ID] = true
			}
		}
	}
	return nil
}

// question returns the question with id.
func (f Form) question(id int64) (Question, bool) {
	for _, q := range f.Content.Questions {
		if q.QuestionID == id {
			return q, true
		}
	}
	return Question{}, false
}

// consent returns the consent definition with id.
func (f Form) consent(id int64) (ConsentDef, bool) {
	if f.Content.LegalInfo == nil {
		return ConsentDef{}, false
	}
	for _, c := range f.Content.LegalInfo.Consents {
		if c.ID == id {
			return c, true
		}
	}
	return ConsentDef{}, false
}
