package lambdamain_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/journeys-oss/journeys/internal/testsvc"
	"go.yaml.in/yaml/v3"
)

// The names a stack gives what it owns, and the IAM rights it grants,
// must keep two stacks in one account and region (dev and prod, or two
// dev stacks) apart: a stack name has no '_' and no '/', so
// "<stack>_" (journey machines) and "<stack>/" (secrets) start no other
// stack's names, and the fixed machines, "<stack>-<name>", fall outside
// both.
const (
	stackVar      = "${AWS::StackName}"
	machinePrefix = stackVar + "_"
	statesArn     = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
)

// templateDoc is template.yaml with its short tags dropped: !Sub, !Ref and
// !GetAtt values read as their strings.
type templateDoc struct {
	Globals struct {
		Function struct {
			Environment struct {
				Variables map[string]any `yaml:"Variables"`
			} `yaml:"Environment"`
		} `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]map[string]any `yaml:"Resources"`
}

func readTemplate(t *testing.T) templateDoc {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc templateDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return doc
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// statement is one IAM statement of a resource's policies.
type statement struct {
	Resource, Sid string
	Actions       []string
	Resources     []string
}

// statements lists the IAM statements of every function, state machine and
// role: SAM's inline Statement lists and IAM roles' policy documents.
func statements(doc templateDoc) []statement {
	var out []statement
	ids := make([]string, 0, len(doc.Resources))
	for id := range doc.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		policies, _ := props(doc.Resources[id])["Policies"].([]any)
		for _, p := range policies {
			pm, _ := p.(map[string]any)
			if d, ok := pm["PolicyDocument"].(map[string]any); ok {
				pm = d
			}
			list, _ := pm["Statement"].([]any)
			for _, s := range list {
				sm, _ := s.(map[string]any)
				sid, _ := sm["Sid"].(string)
				out = append(out, statement{Resource: id, Sid: sid, Actions: strs(sm["Action"]), Resources: strs(sm["Resource"])})
			}
		}
	}
	return out
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// fixedMachines returns the Name of every state machine the template
// creates.
func fixedMachines(t *testing.T, doc templateDoc) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for id, r := range doc.Resources {
		if r["Type"] != "AWS::Serverless::StateMachine" && r["Type"] != "AWS::StepFunctions::StateMachine" {
			continue
		}
		name, _ := props(r)["Name"].(string)
		if name == "" {
			name, _ = props(r)["StateMachineName"].(string)
		}
		if name == "" {
			t.Errorf("%s has no Name: give it %s-<name>", id, stackVar)
			continue
		}
		out[name] = true
	}
	return out
}

// TestTemplateMachinePrefixPerStack: every function gets the stack's
// journey machine prefix and secret prefix from Globals, and none
// overrides them.
func TestTemplateMachinePrefixPerStack(t *testing.T) {
	doc := readTemplate(t)
	vars := doc.Globals.Function.Environment.Variables
	if got := vars["MACHINE_NAME_PREFIX"]; got != machinePrefix {
		t.Errorf("Globals MACHINE_NAME_PREFIX = %v, want !Sub %q", got, machinePrefix)
	}
	if got := vars["SECRET_PREFIX"]; got != stackVar+"/" {
		t.Errorf("Globals SECRET_PREFIX = %v, want !Sub %q", got, stackVar+"/")
	}
	for id, r := range doc.Resources {
		env, _ := props(r)["Environment"].(map[string]any)
		v, _ := env["Variables"].(map[string]any)
		for _, name := range []string{"MACHINE_NAME_PREFIX", "SECRET_PREFIX"} {
			if _, ok := v[name]; ok {
				t.Errorf("%s overrides %s; every function of a stack must share the stack's", id, name)
			}
		}
	}
}

// TestTemplateStatesRights: every Step Functions right is on the stack's
// journey machines (<stack>_*), their executions, or a fixed machine the
// template creates; never on a wildcard that reaches past the stack.
func TestTemplateStatesRights(t *testing.T) {
	doc := readTemplate(t)
	fixed := fixedMachines(t, doc)
	var checked int
	for _, s := range statements(doc) {
		var states bool
		for _, a := range s.Actions {
			states = states || strings.HasPrefix(a, "states:")
		}
		if !states {
			continue
		}
		checked++
		if len(s.Resources) == 0 {
			t.Errorf("%s %s: states rights without a Resource", s.Resource, s.Sid)
		}
		for _, r := range s.Resources {
			if err := statesResourceProblem(r, fixed); err != "" {
				t.Errorf("%s %s: %s: %s", s.Resource, s.Sid, r, err)
			}
		}
	}
	if checked < 10 {
		t.Errorf("found %d statements with states rights; the walk over the policies is broken", checked)
	}
	// The machine ARNs functions are told to start are the template's.
	for id, r := range doc.Resources {
		env, _ := props(r)["Environment"].(map[string]any)
		v, _ := env["Variables"].(map[string]any)
		for _, name := range []string{"SEGMENT_LAUNCH_MACHINE_ARN", "PUBLISH_MACHINE_ARN"} {
			arn, ok := v[name].(string)
			if !ok {
				continue
			}
			if m, found := strings.CutPrefix(arn, statesArn+"stateMachine:"); !found || !fixed[m] {
				t.Errorf("%s %s = %s: not a state machine of this template", id, name, arn)
			}
		}
	}
}

func statesResourceProblem(r string, fixed map[string]bool) string {
	rest, ok := strings.CutPrefix(r, statesArn)
	if !ok {
		return "not a Step Functions ARN of this account and region"
	}
	kind, name, _ := strings.Cut(rest, ":")
	if kind != "stateMachine" && kind != "execution" {
		return "neither stateMachine: nor execution:"
	}
	if strings.HasPrefix(name, machinePrefix) {
		return ""
	}
	for f := range fixed {
		if kind == "stateMachine" && name == f || kind == "execution" && strings.HasPrefix(name, f+":") {
			return ""
		}
	}
	return "names neither the stack's journey machines (" + machinePrefix + "*) nor a state machine of the template"
}

// nameKeys are the properties that give a resource a name unique in an
// account and region (CloudFormation generates one when they are absent).
var nameKeys = map[string]bool{
	"Name": true, "QueueName": true, "TopicName": true, "AlarmName": true, "RoleName": true, "FunctionName": true,
	"TableName": true, "LogGroupName": true, "StateMachineName": true, "PolicyName": false, "ScheduleName": true,
	"RuleName": true, "ApiName": true, "BucketName": true, "KeyName": true,
}

// TestTemplateNamesPerStack: every name the template gives a resource
// (secrets, state machines, queues, topics, alarms, roles, log groups...)
// holds the stack name, which is unique in an account and region.
func TestTemplateNamesPerStack(t *testing.T) {
	doc := readTemplate(t)
	var named int
	for id, r := range doc.Resources {
		for key, v := range props(r) {
			if !nameKeys[key] {
				continue
			}
			s, ok := v.(string)
			if !ok {
				continue
			}
			named++
			if !strings.Contains(s, stackVar) {
				t.Errorf("%s %s: %q is not per stack (a second stack in the account would collide); put %s in it, or leave the name to CloudFormation", id, key, s, stackVar)
			}
		}
	}
	if named < 10 {
		t.Errorf("found %d named resources; the template's secrets and machines should be among them", named)
	}
}

// TestTemplateTwoStacks deploys the template's names and rights, in the
// mind, as three stacks of one account and region, one of whose names
// starts another's: no Secrets Manager or Step Functions right of one
// stack matches a machine, execution or secret of another, and each
// stack's rights do reach its own.
func TestTemplateTwoStacks(t *testing.T) {
	doc := readTemplate(t)
	stacks := []string{"journeys-dev", "journeys-dev-eu", "journeys-prod"}
	var rights []statement
	for _, s := range statements(doc) {
		for _, r := range s.Resources {
			if strings.Contains(r, ":states:") || strings.Contains(r, ":secretsmanager:") {
				rights = append(rights, s)
				break
			}
		}
	}
	reaches := func(stack, arn string) bool {
		for _, s := range rights {
			for _, r := range s.Resources {
				if wildcard(expand(r, stack)).MatchString(arn) {
					return true
				}
			}
		}
		return false
	}
	for _, own := range stacks {
		for _, other := range stacks {
			for _, o := range ownedArns(t, doc, other) {
				got := reaches(own, o.arn)
				if own != other && got {
					t.Errorf("a right of stack %s reaches %s of stack %s", own, o.arn, other)
				}
				if own == other && o.reached && !got {
					t.Errorf("no right of stack %s reaches its own %s", own, o.arn)
				}
			}
		}
	}
}

// owned is an ARN of what a stack owns; reached if some right of the
// stack must reach it.
type owned struct {
	arn     string
	reached bool
}

// ownedArns lists ARNs of what a stack of this name owns: its secrets
// (Secrets Manager adds six random characters), its fixed machines and
// their executions (nothing stops or describes those), and a journey
// machine, its alias and an execution.
func ownedArns(t *testing.T, doc templateDoc, stack string) []owned {
	t.Helper()
	var out []owned
	for _, r := range doc.Resources {
		if r["Type"] == "AWS::SecretsManager::Secret" {
			name, _ := props(r)["Name"].(string)
			out = append(out, owned{expand("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"+name+"-AbC123", stack), true})
		}
	}
	for m := range fixedMachines(t, doc) {
		out = append(out, owned{expand(statesArn+"stateMachine:"+m, stack), true}, owned{expand(statesArn+"execution:"+m+":launch-1", stack), false})
	}
	journey := expand(statesArn, stack) + "stateMachine:" + expand(machinePrefix, stack) + "northwind_welcome"
	out = append(out, owned{journey, true}, owned{journey + ":live", true},
		owned{strings.Replace(journey, ":stateMachine:", ":execution:", 1) + ":c-81f2", true})
	sort.Slice(out, func(i, j int) bool { return out[i].arn < out[j].arn })
	return out
}

func expand(s, stack string) string {
	return strings.NewReplacer(stackVar, stack, "${AWS::Partition}", "aws", "${AWS::Region}", "eu-west-1",
		"${AWS::AccountId}", "123456789012").Replace(s)
}

// wildcard compiles an IAM resource pattern: * is any run of characters,
// ? any one.
func wildcard(pattern string) *regexp.Regexp {
	q := regexp.QuoteMeta(pattern)
	q = strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(q)
	return regexp.MustCompile("^" + q + "$")
}

// TestSamconfigStacks: each environment of samconfig.toml deploys its own
// stack, under a name the template's names fit: distinct, and short
// enough that <stack>-journey-publish and <stack>_<bu>_<journey> stay
// within Step Functions' 80 characters.
func TestSamconfigStacks(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testsvc.Root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	stacks := map[string]string{} // environment → stack name
	var env string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if h, ok := strings.CutPrefix(line, "["); ok {
			env, _, _ = strings.Cut(strings.TrimSuffix(h, "]"), ".")
			continue
		}
		if v, ok := strings.CutPrefix(line, "stack_name = "); ok {
			stacks[env] = strings.Trim(v, `"`)
		}
	}
	if stacks["dev"] == "" || stacks["prod"] == "" {
		t.Fatalf("samconfig.toml stacks %v: want dev and prod", stacks)
	}
	byName := map[string]string{}
	for e, s := range stacks {
		if other, ok := byName[s]; ok && e != "default" && other != "default" {
			t.Errorf("environments %s and %s deploy the same stack %s", e, other, s)
		}
		byName[s] = e
		if !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,39}$`).MatchString(s) {
			t.Errorf("environment %s: stack name %q: want at most 40 letters, digits and '-'", e, s)
		}
	}
}
