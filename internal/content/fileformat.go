package content

import (
	"fmt"
	"strconv"
	"strings"
)

var templateKeys = []string{"channel", "kind", "topic", "tracking", "version", "description", "subject", "preheader"}

// parseTemplateFile reads a template file's front matter and parts.
func parseTemplateFile(file, text string) (*Template, Problems) {
	fields, body, bodyPos, problems := splitFrontMatter(file, text)
	t := &Template{File: file, Version: 1, Kind: Marketing, Tracking: true}
	var subject, pre *field
	for i := range fields {
		f := &fields[i]
		var err error
		switch f.key {
		case "channel":
			t.Channel = Channel(f.value)
			if t.Channel != Email && t.Channel != SMS && t.Channel != Custom {
				err = fmt.Errorf("channel %q is not email, sms or custom", f.value)
			}
		case "kind":
			t.Kind = Kind(f.value)
			if t.Kind != Marketing && t.Kind != Transactional {
				err = fmt.Errorf("kind %q is not marketing or transactional", f.value)
			}
		case "topic":
			t.Topic = f.value
			if !validName(f.value) {
				err = fmt.Errorf("topic %q must be letters, digits, - and _", f.value)
			}
		case "tracking":
			t.Tracking, err = strconv.ParseBool(f.value)
		case "version":
			t.Version, err = strconv.Atoi(f.value)
			if err == nil && t.Version < 1 {
				err = fmt.Errorf("version must be a positive integer")
			}
		case "description":
			t.Description = f.value
		case "subject":
			subject = f
		case "preheader":
			pre = f
		default:
			problems = append(problems, Problem{Pos: f.keyPos, Message: "unknown front-matter key " + quote(f.key), Hint: didYouMean(f.key, templateKeys)})
		}
		if err != nil {
			problems = append(problems, Problem{Pos: f.valuePos, Message: err.Error()})
		}
	}
	if t.Channel == "" {
		problems = append(problems, Problem{Pos: Pos{File: file, Line: 1}, Message: "template has no channel", Hint: "add channel: email, sms or custom to the front matter"})
		return nil, problems
	}
	problems = append(problems, t.setParts(file, body, bodyPos, subject, pre)...)
	if len(problems) > 0 {
		return nil, problems
	}
	return t, nil
}

func (t *Template) setParts(file, body string, bodyPos Pos, subject, pre *field) Problems {
	var problems Problems
	first := map[Channel]PartName{Email: PartHTML, SMS: PartText, Custom: PartPayload}[t.Channel]
	parts := []Part{{Name: first, Source: body, Pos: bodyPos}}
	if t.Channel == Email {
		parts = splitParts(body, bodyPos, first)
		if subject == nil || subject.value == "" {
			problems = append(problems, Problem{Pos: Pos{File: file, Line: 1}, Message: "email template has no subject", Hint: "add subject: ... to the front matter"})
		} else {
			parts = append(parts, Part{Name: PartSubject, Source: subject.value, Pos: subject.valuePos})
		}
		if pre != nil && pre.value != "" {
			parts = append(parts, Part{Name: PartPreheader, Source: pre.value, Pos: pre.valuePos})
		}
	} else {
		for _, f := range []*field{subject, pre} {
			if f != nil {
				problems = append(problems, Problem{Pos: f.keyPos, Message: f.key + " is for email templates only"})
			}
		}
	}
	seen := map[PartName]bool{}
	for _, p := range parts {
		switch {
		case seen[p.Name]:
			problems = append(problems, Problem{Pos: p.Pos, Message: "part " + string(p.Name) + " appears twice"})
		case p.Name != first && p.Name != PartText && p.Name != PartSubject && p.Name != PartPreheader:
			problems = append(problems, Problem{Pos: p.Pos, Message: "unknown part " + quote(string(p.Name)), Hint: "an email may add --- text"})
		case p.Name == first && strings.TrimSpace(p.Source) == "":
			problems = append(problems, Problem{Pos: p.Pos, Message: "the " + string(first) + " part is empty"})
		}
		seen[p.Name] = true
	}
	t.Parts = parts
	return problems
}

// parseBlockFile reads a block file's front matter and body.
func parseBlockFile(file, text string) (*Block, Problems) {
	fields, body, bodyPos, problems := splitFrontMatter(file, text)
	b := &Block{File: file, Source: body, Pos: bodyPos}
	for _, f := range fields {
		switch f.key {
		case "params":
			for _, p := range strings.Split(f.value, ",") {
				p = strings.TrimSpace(p)
				if !isIdentifier(p) {
					problems = append(problems, Problem{Pos: f.valuePos, Message: "parameter " + quote(p) + " is not a name"})
					continue
				}
				b.Params = append(b.Params, p)
			}
		case "description":
			b.Description = f.value
		default:
			problems = append(problems, Problem{Pos: f.keyPos, Message: "unknown front-matter key " + quote(f.key), Hint: didYouMean(f.key, []string{"params", "description"})})
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return b, nil
}
