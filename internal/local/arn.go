package local

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/workflow"
)

// Default region and account of local ARNs: the ones the asl engine and
// moto use.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// arns builds and reads the ARNs of one region and account, shaped as
// Step Functions shapes them:
//
//	machine   arn:aws:states:<region>:<account>:stateMachine:<name>
//	version   arn:aws:states:<region>:<account>:stateMachine:<name>:<n>
//	alias     arn:aws:states:<region>:<account>:stateMachine:<name>:<alias>
//	execution arn:aws:states:<region>:<account>:execution:<name>:<execution>
type arns struct {
	region, account string
}

func (a arns) machinePrefix() string {
	return "arn:aws:states:" + a.region + ":" + a.account + ":stateMachine:"
}

func (a arns) machine(name string) string { return a.machinePrefix() + name }

func (a arns) version(name string, n int) string {
	return a.machine(name) + ":" + strconv.Itoa(n)
}

func (a arns) execution(machine, name string) string {
	return "arn:aws:states:" + a.region + ":" + a.account + ":execution:" + machine + ":" + name
}

// A target is a parsed machine, version or alias ARN.
type target struct {
	machine string // the state machine's name
	version int    // > 0 for a version ARN
	alias   string // for an alias ARN
}

// parse reads a machine, version or alias ARN of this region and account.
func (a arns) parse(arn string) (target, error) {
	rest, ok := strings.CutPrefix(arn, a.machinePrefix())
	if !ok || rest == "" {
		return target{}, fmt.Errorf("not a state machine ARN of %s/%s: %q: %w", a.region, a.account, arn, workflow.ErrNotFound)
	}
	name, qual, qualified := strings.Cut(rest, ":")
	t := target{machine: name}
	if !qualified {
		return t, nil
	}
	if n, err := strconv.Atoi(qual); err == nil {
		if n < 1 {
			return target{}, fmt.Errorf("state machine version %q: %w", arn, workflow.ErrNotFound)
		}
		t.version = n
		return t, nil
	}
	if qual == "" || strings.Contains(qual, ":") {
		return target{}, fmt.Errorf("state machine ARN %q: %w", arn, workflow.ErrNotFound)
	}
	t.alias = qual
	return t, nil
}

// FunctionArns returns, for every placeholder of compiled journeys
// (compile.Placeholders: "SendFunctionArn", ...), the ARN of the local
// function that serves it: arn:aws:lambda:<region>:<account>:function:<name>
// with the function folder's name ("send"). Give it to the publisher as
// its Functions; the invokers find handlers by the name at the end.
func FunctionArns(region, account string) map[string]string {
	out := make(map[string]string, len(compile.Placeholders))
	for ph, fn := range compile.Placeholders {
		out[ph] = FunctionArn(region, account, fn)
	}
	return out
}

// FunctionArn is the local ARN of a function by its folder name.
func FunctionArn(region, account, function string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + function
}

var placeholderRE = regexp.MustCompile(`\$\{[A-Za-z][A-Za-z0-9]*\}`)

// substitute writes function ARNs over the ${...} placeholders of a
// definition. A placeholder without an ARN is an error naming it.
func substitute(def string, functions map[string]string) (string, error) {
	if !strings.Contains(def, "${") {
		return def, nil
	}
	names := make([]string, 0, len(functions))
	for ph := range functions {
		names = append(names, ph)
	}
	sort.Strings(names)
	for _, ph := range names {
		def = strings.ReplaceAll(def, "${"+ph+"}", functions[ph])
	}
	if ph := placeholderRE.FindString(def); ph != "" {
		return "", fmt.Errorf("definition holds the placeholder %s, which names no local function", ph)
	}
	return def, nil
}
