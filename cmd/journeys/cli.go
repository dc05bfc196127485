package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes, listed in the top-level help.
const (
	exitOK      = 0 // success
	exitFailed  = 1 // the command ran and failed (a test failed, a send failed, ...)
	exitUsage   = 2 // bad flags or arguments
	exitInvalid = 3 // a journey, segment, template or state machine is invalid
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// cli carries the streams a command reads and writes, so tests pass buffers.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// A command is one subcommand: its name, a one-line summary for the command
// list, and the function that parses its own flags and runs it.
type command struct {
	name    string
	summary string
	run     func(c *cli, args []string) int
}

// commands lists every subcommand. Each lives in a file of its own.
func commands() []command {
	cmds := []command{
		{"version", "print the version", runVersion},
	}
	cmds = append(cmds, extraCommands()...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 {
			return c.dispatch([]string{args[1], "--help"})
		}
		c.usage(stdout)
		return exitOK
	case "--version", "-v":
		return runVersion(c, nil)
	}
	return c.dispatch(args)
}

func (c *cli) dispatch(args []string) int {
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			return cmd.run(c, args[1:])
		}
	}
	fmt.Fprintf(c.stderr, "journeys: unknown command %q (run `journeys --help` for the list)\n", args[0])
	return exitUsage
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, "journeys %s: customer journeys compiled to AWS Step Functions\n\n", version)
	fmt.Fprintf(w, "Usage: journeys <command> [flags] [args]\n\nCommands:\n")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(w, "\nRun `journeys <command> --help` for a command's flags.\n")
	fmt.Fprintf(w, "\nExit codes: %d ok, %d failed, %d usage, %d invalid journey or definition.\n",
		exitOK, exitFailed, exitUsage, exitInvalid)
}

// newFlagSet returns a flag set whose --help prints the command's usage line
// and flags on stdout and whose errors go to stderr.
func (c *cli) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("journeys "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: journeys %s %s\n", name, usage)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(out, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args into fs. It returns the exit code to stop with, or -1 to
// go on. --help prints the usage on stdout and stops with exitOK.
func (c *cli) parse(fs *flag.FlagSet, args []string) int {
	fs.SetOutput(c.stderr)
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(c.stdout)
			fs.Usage()
			return exitOK
		}
	}
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// interleave moves flags that follow positional arguments to the front, so
// `journeys compile welcome.yaml --out dir` works as people type it.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func runVersion(c *cli, args []string) int {
	fs := c.newFlagSet("version", "")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	fmt.Fprintf(c.stdout, "journeys %s\n", version)
	return exitOK
}
