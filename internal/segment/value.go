package segment

import (
	"fmt"
	"math"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// attrValue converts a stored attribute value to the CEL value of the
// attribute's declared type; nil becomes the type's zero value.
func attrValue(a Attribute, v any) (ref.Val, error) {
	switch a.Type {
	case String:
		switch x := v.(type) {
		case nil:
			return types.String(""), nil
		case string:
			return types.String(x), nil
		}
	case Int:
		switch x := v.(type) {
		case nil:
			return types.Int(0), nil
		case int:
			return types.Int(x), nil
		case int64:
			return types.Int(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return types.Int(int64(x)), nil
			}
		}
	case Double:
		switch x := v.(type) {
		case nil:
			return types.Double(0), nil
		case float64:
			return types.Double(x), nil
		case int:
			return types.Double(float64(x)), nil
		case int64:
			return types.Double(float64(x)), nil
		}
	case Bool:
		switch x := v.(type) {
		case nil:
			return types.False, nil
		case bool:
			return types.Bool(x), nil
		}
	case Timestamp:
		switch x := v.(type) {
		case nil:
			return types.Timestamp{Time: time.Unix(0, 0).UTC()}, nil
		case time.Time:
			return types.Timestamp{Time: x}, nil
		case string:
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				return types.Timestamp{Time: t}, nil
			}
		}
	case List:
		switch x := v.(type) {
		case nil:
			return types.NewStringList(types.DefaultTypeAdapter, nil), nil
		case []string:
			return types.NewStringList(types.DefaultTypeAdapter, x), nil
		case []any:
			out := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("attribute %s: list holds %T, want strings", a.Name, e)
				}
				out = append(out, s)
			}
			return types.NewStringList(types.DefaultTypeAdapter, out), nil
		}
	}
	return nil, fmt.Errorf("attribute %s: value of type %T does not fit the declared type %s", a.Name, v, a.Type)
}

// CheckValue reports whether v (as read from YAML or JSON) fits the type t.
func CheckValue(t Type, v any) error {
	_, err := attrValue(Attribute{Name: "value", Type: t}, v)
	if v == nil {
		return fmt.Errorf("value is empty")
	}
	return err
}

// An Interaction is something a contact did or received.
type Interaction struct {
	Type     string    `json:"type"`
	Channel  string    `json:"channel,omitempty"`
	At       time.Time `json:"at"`
	Journey  string    `json:"journey,omitempty"`
	Step     string    `json:"step,omitempty"`
	Template string    `json:"template,omitempty"`
	Form     string    `json:"form,omitempty"`
	URL      string    `json:"url,omitempty"`
}

func (i Interaction) value() map[string]any {
	return map[string]any{
		"type": types.String(i.Type), "channel": types.String(i.Channel),
		"at": types.Timestamp{Time: i.At}, "journey": types.String(i.Journey),
		"step": types.String(i.Step), "template": types.String(i.Template),
		"form": types.String(i.Form), "url": types.String(i.URL),
	}
}
