package sample

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SAMEnv returns the --env-vars file of `sam local invoke` (function
// logical id → variable → value) for every function of the SAM template,
// pointed at what Seed seeded: env is Seed's answer (AWS_ENDPOINT_URL as
// the container reaches it). `sam local` passes a function only the
// variables its template entry (or Globals) declares, so the file names
// exactly those. A value is the seeded one (TABLE_NAME,
// SECRET_PREFIX=journeys/local/, ...) unless it is a path on this machine
// (SETTINGS_DIR, OUTBOX_DIR), else the template's, resolved for the
// sample account and region with Env=local and parameter defaults. A
// variable none of these gives is an error that names it.
func SAMEnv(template []byte, env []string) (map[string]map[string]string, error) {
	var doc struct {
		Parameters map[string]struct {
			Default any `yaml:"Default"`
		} `yaml:"Parameters"`
		Globals struct {
			Function struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(template, &doc); err != nil {
		return nil, fmt.Errorf("sam env: read template: %w", err)
	}
	r := resolver{seeded: map[string]string{}, params: map[string]string{"Env": "local",
		"AWS::Partition": "aws", "AWS::Region": Region, "AWS::AccountId": Account, "AWS::URLSuffix": "amazonaws.com",
		"AWS::StackName": "journeys-local"}} // the stack Seed's MACHINE_NAME_PREFIX names
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		r.seeded[k] = v
	}
	for name, p := range doc.Parameters {
		if _, set := r.params[name]; !set && p.Default != nil {
			r.params[name] = fmt.Sprint(p.Default)
		}
	}
	out := map[string]map[string]string{}
	var errs []error
	for id, res := range doc.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		vars := map[string]string{}
		for _, set := range []map[string]yaml.Node{doc.Globals.Function.Environment.Variables, res.Properties.Environment.Variables} {
			for name, node := range set {
				v, err := r.value(name, node)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s %s: %w", id, name, err))
				}
				vars[name] = v
			}
		}
		out[id] = vars
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sam env: %w", err)
	}
	return out, nil
}

type resolver struct {
	seeded, params map[string]string
}

var (
	subRef       = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)\}`)
	functionAttr = regexp.MustCompile(`^([A-Za-z0-9]+)Function\.Arn$`)
	kebab        = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// hostPaths are seeded variables holding paths of this machine, which a
// container does not have: the template's value stands.
var hostPaths = map[string]bool{"SETTINGS_DIR": true, "OUTBOX_DIR": true}

func (r resolver) value(name string, n yaml.Node) (string, error) {
	if v, ok := r.seeded[name]; ok && !hostPaths[name] {
		return v, nil
	}
	switch {
	case n.Kind == yaml.ScalarNode && (n.Tag == "!!str" || n.Tag == "!!int" || n.Tag == "!!bool"):
		return n.Value, nil
	case n.Tag == "!Ref":
		if v, ok := r.params[n.Value]; ok {
			return v, nil
		}
	case n.Tag == "!Sub" && n.Kind == yaml.ScalarNode:
		var missing []string
		v := subRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			p, ok := r.params[m[2:len(m)-1]]
			if !ok {
				missing = append(missing, m)
			}
			return p
		})
		if len(missing) == 0 {
			return v, nil
		}
	case n.Tag == "!GetAtt":
		if m := functionAttr.FindStringSubmatch(n.Value); m != nil {
			fn := strings.ToLower(kebab.ReplaceAllString(m[1], "$1-$2"))
			return "arn:aws:lambda:" + Region + ":" + Account + ":function:journeys-" + fn, nil
		}
	}
	return "", fmt.Errorf("no local value for %s %s (give it one in sample.Seed's environment)", n.Tag, n.Value)
}
