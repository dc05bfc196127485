package linkedin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseLeadErrors(t *testing.T) {
	base := string(readTestdata(t, "lead.json"))
	replace := func(old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(base, old, new, 1)
	}
	tests := []struct{ name, body, field string }{
		{"not JSON", "{", ""},
		{"missing id", replace(`"id": "249592fc-d272-44ba-a7db-c2bdce579507-6",`, ``), "id"},
		{"id as URN", replace(`"id": "249592fc`, `"id": "urn:li:leadGenFormResponse:249592fc`), "id"},
		{"bad form URN", replace(`urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)`, `urn:li:leadGenForm:7234246`), "versionedLeadGenFormUrn"},
		{"missing owner", replace(`"owner": {"sponsoredAccount": "urn:li:sponsoredAccount:1234567"},`, ``), "owner"},
		{"missing submittedAt", replace(`"submittedAt": 1689894599288,`, ``), "submittedAt"},
		{"answer without question", replace(`{"questionId": 107234246, `, `{`), "formResponse.answers[0].questionId"},
		{"options not numbers", replace(`"options": [0]`, `"options": ["0"]`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLead([]byte(tt.body))
			var fe *FieldError
			if !errors.Is(err, ErrInvalidLead) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("err = %v, want FieldError on %q wrapping ErrInvalidLead", err, tt.field)
			}
		})
	}
}

func TestLeadAndFormRoundTrip(t *testing.T) {
	for _, name := range []string{"lead.json", "form.json"} {
		raw := readTestdata(t, name)
		var doc, back any
		var out []byte
		var err error
		if name == "lead.json" {
			l, perr := ParseLead(raw)
			if perr != nil {
				t.Fatal(perr)
			}
			out, err = json.Marshal(l)
		} else {
			f, perr := ParseForm(raw)
			if perr != nil {
				t.Fatal(perr)
			}
			out, err = json.Marshal(f)
		}
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(raw, &doc)
		json.Unmarshal(out, &back)
		if !jsonEqual(doc, back) {
			t.Errorf("%s does not round-trip:\n%s", name, out)
		}
	}
}

// jsonEqual compares decoded JSON values.
func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestParseFormErrors(t *testing.T) {
	base := string(readTestdata(t, "form.json"))
	for name, body := range map[string]string{
		"no id":             strings.Replace(base, `"id": 7234246,`, ``, 1),
		"repeated question": strings.Replace(base, `"questionId": 207234246`, `"questionId": 107234246`, 1),
		"repeated option":   strings.Replace(base, `{"id": 1, "text"`, `{"id": 0, "text"`, 1),
	} {
		if _, err := ParseForm([]byte(body)); !errors.Is(err, ErrInvalidForm) {
			t.Errorf("%s: err = %v, want ErrInvalidForm", name, err)
		}
	}
}

func TestURNs(t *testing.T) {
	v, err := ParseFormVersion("urn:li:versionedLeadGenForm:(urn:li:leadGenForm:6955637458260688897,12)")
	if err != nil || v != (FormVersion{6955637458260688897, 12}) {
		t.Fatalf("ParseFormVersion = %v, %v", v, err)
	}
	if v.URN() != "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:6955637458260688897,12)" {
		t.Errorf("URN = %s", v.URN())
	}
	for _, bad := range []string{"", "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1)", "urn:li:versionedLeadGenForm:(urn:li:other:1,1)", "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:x,1)"} {
		if _, err := ParseFormVersion(bad); !errors.Is(err, ErrInvalidURN) {
			t.Errorf("ParseFormVersion(%q) = %v", bad, err)
		}
	}
	for urn, kind := range map[string]string{"urn:li:sponsoredAccount:1": "sponsoredAccount", "urn:li:organization:2": "organization"} {
		u, err := OwnerFromURN(urn)
		if err != nil || u.Kind != kind || u.URN != urn {
			t.Errorf("OwnerFromURN(%s) = %+v, %v", urn, u, err)
		}
	}
	for _, bad := range []string{"urn:li:person:1", "sponsoredAccount:1", "urn:li:sponsoredAccount:"} {
		if _, err := OwnerFromURN(bad); err == nil {
			t.Errorf("OwnerFromURN(%q) accepted", bad)
		}
	}
}

func FuzzParseLead(f *testing.F) {
	f.Add(readTestdata(f, "lead.json"))
	f.Add([]byte(`{"id":"a","owner":{"organization":"urn:li:organization:1"}}`))
	f.Add([]byte(`{"formResponse":{"answers":[{"questionId":1,"answerDetails":{}}]}}`))
	form := testForm(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := ParseLead(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidLead) {
				t.Fatalf("error %v does not wrap ErrInvalidLead", err)
			}
			return
		}
		// A parsed lead always maps (or reports a version mismatch), never panics.
		form.ID, form.VersionID = 0, 0
		if v, err := l.Version(); err == nil {
			form.ID, form.VersionID = v.FormID, v.Version
		}
		if _, err := baseMapping().Map(l, form); err != nil {
			t.Fatalf("Map on a parsed lead: %v", err)
		}
	})
}
