package segment

import (
	"fmt"
	"sort"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// A Type is the type of a contact attribute.
type Type string

// Attribute types a contact schema may declare.
const (
	String    Type = "string"
	Int       Type = "int"
	Double    Type = "double"
	Bool      Type = "bool"
	Timestamp Type = "timestamp"
	List      Type = "list" // a list of strings
)

// Types lists the attribute types.
var Types = []Type{String, Int, Double, Bool, Timestamp, List}

// An Attribute declares one contact attribute.
type Attribute struct {
	Name     string
	Type     Type
	Personal bool
}

const (
	contactType     = "journeys.Contact"
	interactionType = "journeys.Interaction"
)

// interactionFields are the fields of an interaction, all strings but at.
var interactionFields = []string{"type", "channel", "at", "journey", "step", "template", "form", "url"}

// An Env compiles conditions against one contact schema. It is safe for
// concurrent use.
type Env struct {
	env   *cel.Env
	attrs map[string]Attribute
	names []string
}

// NewEnv builds the CEL environment for a contact schema. It fails on an
// attribute with an unknown type.
func NewEnv(attrs []Attribute) (*Env, error) {
	e := &Env{attrs: make(map[string]Attribute, len(attrs))}
	for _, a := range attrs {
		if celType(a.Type) == nil {
			return nil, fmt.Errorf("attribute %s: unknown type %q", a.Name, a.Type)
		}
		e.attrs[a.Name] = a
		e.names = append(e.names, a.Name)
	}
	sort.Strings(e.names)
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, fmt.Errorf("cel registry: %w", err)
	}
	p := &provider{Registry: reg, contact: map[string]*types.FieldType{}, interaction: map[string]*types.FieldType{}}
	for _, a := range attrs {
		p.contact[a.Name] = contactField(a)
	}
	for _, f := range interactionFields {
		p.interaction[f] = interactionField(f)
	}
	env, err := cel.NewEnv(
		cel.CustomTypeProvider(p),
		cel.Variable("contact", cel.ObjectType(contactType)),
		cel.Variable("interactions", cel.ListType(cel.ObjectType(interactionType))),
		cel.Variable("event", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("now", cel.TimestampType),
		cel.Macros(interactionMacros()...),
		interactionFunctions(),
		cel.ParserExpressionSizeLimit(4096),
		cel.ParserRecursionLimit(64),
	)
	if err != nil {
		return nil, fmt.Errorf("cel environment: %w", err)
	}
	e.env = env
	return e, nil
}

// Attribute returns the declared attribute called name.
func (e *Env) Attribute(name string) (Attribute, bool) {
	a, ok := e.attrs[name]
	return a, ok
}

func celType(t Type) *cel.Type {
	switch t {
	case String:
		return cel.StringType
	case Int:
		return cel.IntType
	case Double:
		return cel.DoubleType
	case Bool:
		return cel.BoolType
	case Timestamp:
		return cel.TimestampType
	case List:
		return cel.ListType(cel.StringType)
	}
	return nil
}

// provider adds the Contact and Interaction object types to the standard
// registry, so the checker knows each attribute's type and the interpreter
// reads attributes out of plain maps.
type provider struct {
	*types.Registry
	contact     map[string]*types.FieldType
	interaction map[string]*types.FieldType
}

func (p *provider) fields(name string) (map[string]*types.FieldType, bool) {
	switch name {
	case contactType:
		return p.contact, true
	case interactionType:
		return p.interaction, true
	}
	return nil, false
}

func (p *provider) FindStructType(name string) (*types.Type, bool) {
	if _, ok := p.fields(name); ok {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return p.Registry.FindStructType(name)
}

func (p *provider) FindStructFieldNames(name string) ([]string, bool) {
	if fs, ok := p.fields(name); ok {
		out := make([]string, 0, len(fs))
		for n := range fs {
			out = append(out, n)
		}
		sort.Strings(out)
		return out, true
	}
	return p.Registry.FindStructFieldNames(name)
}

func (p *provider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if fs, ok := p.fields(name); ok {
		f, ok := fs[field]
		return f, ok
	}
	return p.Registry.FindStructFieldType(name, field)
}

func (p *provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if _, ok := p.fields(name); ok {
		return types.NewErr("cannot construct %s", name)
	}
	return p.Registry.NewValue(name, fields)
}

func contactField(a Attribute) *types.FieldType {
	return &types.FieldType{
		Type: celType(a.Type),
		IsSet: func(target any) bool {
			m, ok := target.(map[string]any)
			if !ok {
				return false
			}
			v, ok := m[a.Name]
			return ok && v != nil
		},
		GetFrom: func(target any) (any, error) {
			m, _ := target.(map[string]any)
			return attrValue(a, m[a.Name])
		},
	}
}

func interactionField(name string) *types.FieldType {
	t := cel.StringType
	if name == "at" {
		t = cel.TimestampType
	}
	return &types.FieldType{
		Type: t,
		IsSet: func(target any) bool {
			m, _ := target.(map[string]any)
			_, ok := m[name]
			return ok
		},
		GetFrom: func(target any) (any, error) {
			m, _ := target.(map[string]any)
			return m[name], nil
		},
	}
}
