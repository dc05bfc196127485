package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/asl"
	"github.com/journeys-oss/journeys/internal/asl/jsonv"
)

// runASL runs `journeys asl exec` and `journeys asl validate`.
func runASL(c *cli, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := c.stdout
		code := exitOK
		if len(args) == 0 {
			w, code = c.stderr, exitUsage
		}
		fmt.Fprintf(w, "Usage: journeys asl <exec|validate> [flags]\n\n"+
			"  exec      run a state machine on a virtual clock and print how it ended\n"+
			"  validate  check state machine definitions as Step Functions does\n\n"+
			"Run `journeys asl <subcommand> --help` for its flags.\n")
		return code
	}
	switch args[0] {
	case "exec":
		return runASLExec(c, args[1:])
	case "validate":
		return runASLValidate(c, args[1:])
	}
	fmt.Fprintf(c.stderr, "journeys asl: unknown subcommand %q (exec or validate)\n", args[0])
	return exitUsage
}

// resourceBindings is a repeatable --resource ARN=handler flag.
type resourceBindings map[string]string

func (r resourceBindings) String() string { return "" }

func (r resourceBindings) Set(s string) error {
	arn, handler, ok := strings.Cut(s, "=")
	if !ok || arn == "" {
		return fmt.Errorf("want ARN=handler, got %q", s)
	}
	if handler != "echo" {
		return fmt.Errorf("unknown handler %q (the built-in handler is echo)", handler)
	}
	r[arn] = handler
	return nil
}

// Invoke answers the bound resources with their built-in handler (echo:
// the task's payload); other resources do not exist.
func (r resourceBindings) Invoke(_ context.Context, req *asl.TaskRequest) ([]byte, error) {
	for key := range r {
		if key == req.Resource || req.Service == "lambda" && asl.FunctionName(key) == asl.FunctionName(req.FunctionName) {
			return req.Payload, nil
		}
	}
	return nil, fmt.Errorf("resource %s: %w", req.Resource, asl.ErrResourceNotFound)
}

type aslExecOptions struct {
	definition string
	input      string
	context    string
	history    bool
	repeat     int
	resources  resourceBindings
}

func runASLExec(c *cli, args []string) int {
	o := aslExecOptions{resources: resourceBindings{}}
	fs := c.newFlagSet("asl exec", "--definition FILE [--input JSON|@FILE] [--context JSON] [--history] [--repeat N] [--resource ARN=echo]")
	fs.StringVar(&o.definition, "definition", "", "the state machine definition (ASL JSON file)")
	fs.StringVar(&o.input, "input", "{}", "the execution input: JSON, or @FILE")
	fs.StringVar(&o.context, "context", "", `context object names, only these fields: {"stateMachineName","stateMachineArn","executionName","executionArn","roleArn"}; names alone imply their ARNs`)
	fs.BoolVar(&o.history, "history", false, "print the execution history (events) as GetExecutionHistory returns it")
	fs.IntVar(&o.repeat, "repeat", 0, "run the execution N times and print {executions, transitions, seconds}")
	fs.Var(o.resources, "resource", "bind a task resource (ARN or function name) to a built-in handler: ARN=echo (repeatable)")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if o.definition == "" || fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "journeys asl exec: --definition FILE is required and no arguments are taken\n")
		return exitUsage
	}
	req, code := c.aslRequest(o)
	if code >= 0 {
		return code
	}
	opts := []asl.Option{asl.WithInvoker(o.resources), asl.WithMaxTransitions(1000000)}
	if o.repeat > 0 {
		return c.aslRepeat(req, o.repeat, opts)
	}
	if o.history {
		req.History = asl.HistoryOn
	}
	out, err := asl.Run(context.Background(), req, opts...)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys asl exec: %v\n", err)
		return exitFailed
	}
	c.printOutcome(out, o.history)
	if out.Status != asl.StatusSucceeded {
		return exitFailed
	}
	return exitOK
}

// aslRequest reads the definition, input and context into a start request.
func (c *cli) aslRequest(o aslExecOptions) (asl.StartRequest, int) {
	def, err := os.ReadFile(o.definition)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys asl exec: %v\n", err)
		return asl.StartRequest{}, exitFailed
	}
	m, err := asl.Load(def)
	if err != nil {
		var ve *asl.ValidationError
		if errors.As(err, &ve) {
			printProblems(c.stderr, o.definition, ve.Problems)
			return asl.StartRequest{}, exitInvalid
		}
		fmt.Fprintf(c.stderr, "journeys asl exec: %s: %v\n", o.definition, err)
		return asl.StartRequest{}, exitInvalid
	}
	input := []byte(o.input)
	if strings.HasPrefix(o.input, "@") {
		if input, err = os.ReadFile(o.input[1:]); err != nil {
			fmt.Fprintf(c.stderr, "journeys asl exec: %v\n", err)
			return asl.StartRequest{}, exitFailed
		}
	}
	req := asl.StartRequest{Machine: m, Input: input}
	if o.context != "" {
		var names struct {
			StateMachineName, StateMachineArn, ExecutionName, ExecutionArn, RoleArn string
		}
		dec := json.NewDecoder(strings.NewReader(o.context))
		dec.DisallowUnknownFields()
		err := dec.Decode(&names)
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			err = errors.New("not a JSON object")
		case err == nil && dec.More():
			err = errors.New("more than one JSON value")
		}
		if err != nil {
			fmt.Fprintf(c.stderr, "journeys asl exec: --context: %v (want an object with only stateMachineName, stateMachineArn, executionName, executionArn, roleArn)\n", err)
			return asl.StartRequest{}, exitUsage
		}
		req.Context = &asl.ContextOverrides{
			StateMachineName: names.StateMachineName, StateMachineArn: names.StateMachineArn,
			ExecutionName: names.ExecutionName, ExecutionArn: names.ExecutionArn, RoleArn: names.RoleArn,
		}
	}
	return req, -1
}

// printOutcome prints {"status","output","error","cause"[,"events"]}.
func (c *cli) printOutcome(out *asl.Outcome, history bool) {
	doc := jsonv.NewObject(5)
	doc.Set("status", string(out.Status))
	var output any
	if out.Status == asl.StatusSucceeded {
		output, _ = jsonv.Parse(out.Output)
	}
	doc.Set("output", output)
	doc.Set("error", optional(out.Error, out.Error != ""))
	doc.Set("cause", optional(out.Cause, out.HasCause))
	if history {
		events, _ := json.Marshal(out.Events)
		v, _ := jsonv.Parse(events)
		if v == nil {
			v = []any{}
		}
		doc.Set("events", v)
	}
	fmt.Fprintf(c.stdout, "%s\n", jsonv.Marshal(doc))
}

func optional(s string, present bool) any {
	if !present {
		return nil
	}
	return s
}

// aslRepeat runs the execution n times on one engine and prints the totals.
func (c *cli) aslRepeat(req asl.StartRequest, n int, opts []asl.Option) int {
	ctx := context.Background()
	vc := asl.NewVirtualClock(time.Now().UTC())
	e := asl.NewEngine(append(opts, asl.WithClock(vc), asl.WithHistory(false))...)
	began := time.Now()
	var transitions int64
	for i := range n {
		req.Name = fmt.Sprintf("repeat-%d", i)
		arn, err := e.Start(ctx, req)
		if err != nil {
			fmt.Fprintf(c.stderr, "journeys asl exec: %v\n", err)
			return exitFailed
		}
		if err := e.RunToEnd(ctx, vc.Now()); err != nil {
			fmt.Fprintf(c.stderr, "journeys asl exec: %v\n", err)
			return exitFailed
		}
		d, _ := e.Describe(arn)
		transitions += d.Transitions
		_ = e.Forget(ctx, arn) // keep memory flat over many repeats
	}
	fmt.Fprintf(c.stdout, `{"executions":%d,"transitions":%d,"seconds":%.3f}`+"\n", n, transitions, time.Since(began).Seconds())
	return exitOK
}

func runASLValidate(c *cli, args []string) int {
	fs := c.newFlagSet("asl validate", "FILE...")
	asJSON := fs.Bool("json", false, "print the problems as JSON")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(c.stderr, "journeys asl validate: give one or more definition files\n")
		return exitUsage
	}
	return c.validateFiles(fs, *asJSON)
}

func (c *cli) validateFiles(fs *flag.FlagSet, asJSON bool) int {
	type fileProblems struct {
		File     string        `json:"file"`
		Problems []asl.Problem `json:"problems"`
	}
	var report []fileProblems
	code := exitOK
	for _, file := range fs.Args() {
		def, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(c.stderr, "journeys asl validate: %v\n", err)
			return exitFailed
		}
		problems := asl.Validate(def)
		if len(problems) > 0 {
			code = exitInvalid
		}
		report = append(report, fileProblems{File: file, Problems: problems})
		if !asJSON {
			printProblems(c.stdout, file, problems)
		}
	}
	if asJSON {
		b, _ := json.MarshalIndent(report, "", "  ")
		fmt.Fprintf(c.stdout, "%s\n", b)
	}
	return code
}

// printProblems lists a definition's problems, or says it is valid.
func printProblems(w io.Writer, file string, problems []asl.Problem) {
	if len(problems) == 0 {
		fmt.Fprintf(w, "%s: valid\n", file)
		return
	}
	for _, p := range problems {
		fmt.Fprintf(w, "%s: %s: %s\n", file, p.Path, p.Message)
	}
}
