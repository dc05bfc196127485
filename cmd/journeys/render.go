package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/journeys-oss/journeys/internal/content"
)

// renderOptions are the flags of `journeys render`.
type renderOptions struct {
	template string
	blocks   string
	data     string
	repeat   int
}

// runRender renders one plain Liquid file, for comparing our Liquid with
// other implementations: the blocks in --blocks are available to
// {% render 'name' %}, the JSON object in --data gives the variables.
func runRender(c *cli, args []string) int {
	var o renderOptions
	fs := c.newFlagSet("render", "--template FILE [--blocks DIR] [--data FILE] [--repeat N]")
	fs.StringVar(&o.template, "template", "", "the Liquid `file` to render")
	fs.StringVar(&o.blocks, "blocks", "", "a `folder` of blocks, <name>[@<version>].liquid")
	fs.StringVar(&o.data, "data", "", "a JSON `file` whose object holds the variables")
	fs.IntVar(&o.repeat, "repeat", 0, "render `N` times in one process and print {\"renders\", \"seconds\"}")
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	if o.template == "" || fs.NArg() > 0 || o.repeat < 0 {
		fmt.Fprintln(c.stderr, "journeys render: give --template FILE (and no other arguments)")
		return exitUsage
	}
	return c.renderPlain(o)
}

func (c *cli) renderPlain(o renderOptions) int {
	src, err := os.ReadFile(o.template)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys render: %v\n", err)
		return exitFailed
	}
	vars := map[string]any{}
	if o.data != "" {
		if err := readJSON(o.data, &vars); err != nil {
			fmt.Fprintf(c.stderr, "journeys render: %v\n", err)
			return exitFailed
		}
	}
	var blocks content.Source = emptySource{}
	if o.blocks != "" {
		fsrc, problems := content.LoadBlocks(os.DirFS(o.blocks), filepath.ToSlash(o.blocks))
		if len(problems) > 0 {
			c.printProblems(problems)
			return exitInvalid
		}
		blocks = fsrc
	}
	ctx := context.Background()
	lib := content.NewLibrary(blocks, content.Options{})
	snip, err := lib.CompileSnippet(ctx, o.template, string(src))
	if err != nil {
		return c.contentError("render", err)
	}
	if o.repeat == 0 {
		out, err := snip.Render(ctx, vars)
		if err != nil {
			return c.contentError("render", err)
		}
		fmt.Fprint(c.stdout, out)
		return exitOK
	}
	start := time.Now()
	for i := 0; i < o.repeat; i++ {
		if _, err := snip.Render(ctx, vars); err != nil {
			return c.contentError("render", err)
		}
	}
	return c.printJSON(map[string]any{"renders": o.repeat, "seconds": time.Since(start).Seconds()})
}

// readJSON decodes a JSON file into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (c *cli) printJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(c.stderr, "journeys: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// printProblems prints content problems, one per line, as file:line:col.
func (c *cli) printProblems(ps content.Problems) {
	fmt.Fprintln(c.stderr, ps.Error())
}

// contentError reports an error from the content package and returns the
// exit code for its class.
func (c *cli) contentError(cmd string, err error) int {
	var ps content.Problems
	if errors.As(err, &ps) {
		c.printProblems(ps)
		return exitInvalid
	}
	fmt.Fprintf(c.stderr, "journeys %s: %v\n", cmd, err)
	return exitFailed
}

// emptySource is a content Source with nothing in it.
type emptySource struct{}

func (emptySource) Template(context.Context, string, string, string, int) (*content.Template, error) {
	return nil, content.ErrNotFound
}

func (emptySource) Block(context.Context, string, string, string, int) (*content.Block, error) {
	return nil, content.ErrNotFound
}

func (emptySource) List(context.Context, string) (*content.Index, error) {
	return &content.Index{}, nil
}
