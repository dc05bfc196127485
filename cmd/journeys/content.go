package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/journeys-oss/journeys/internal/manage"
)

const contentUsage = `publish [flags] [PATH ...]

Upload templates and blocks to a deployed system's content library through
the management API (POST /content). With no PATH, every file under
<root>/content/blocks and <root>/content/templates (and <root>/content/units/<unit>
with --unit) goes in one upload; a PATH is a file or folder inside <root>/content.
The API checks the upload as journeys validate does (Liquid, blocks, the
contact schema of the business unit's latest published journey) and stores
each file under the version it names: a block's @N, a template's version:.
A version already stored with the same text is reported unchanged; with other
text the upload is refused (raise the version).

The API key comes from $JOURNEYS_API_KEY (scope content:write; --shared needs
content:share), or use --iam --bu BU.

Exit codes: 0 uploaded (or pending approval), 1 failed, 2 usage, 3 the content
does not check (problems printed as file:line:col).`

func runContent(c *cli, args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := c.newFlagSet("content", contentUsage)
		if code := c.parse(fs, args); code >= 0 {
			return code
		}
		fs.SetOutput(c.stderr)
		fs.Usage()
		return exitUsage
	}
	if args[0] != "publish" {
		fmt.Fprintf(c.stderr, "journeys content: unknown subcommand %q (want publish)\n", args[0])
		return exitUsage
	}
	return contentPublish(c, args[1:])
}

func contentPublish(c *cli, args []string) int {
	fs := c.newFlagSet("content publish", "[--root DIR] [--unit BU] [--shared] [--require-approval] [--api URL] [PATH ...]")
	root := fs.String("root", "journeys", "the journeys folder; content is read from <root>/content")
	unit := fs.String("unit", "", "also upload <root>/content/units/<unit>/ (the key's business unit's own folder)")
	shared := fs.Bool("shared", false, "store the files as shared content, seen by every business unit (needs the scope content:share)")
	approval := fs.Bool("require-approval", false, "hold the upload for one approval through the business unit's approval flow")
	api := addAPIFlags(fs)
	if code := c.parse(fs, args); code >= 0 {
		return code
	}
	files, err := manage.ContentFiles(filepath.Join(*root, "content"), fs.Args(), *unit, *shared)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys content publish: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintf(c.stderr, "journeys content publish: no .liquid files under %s\n", filepath.Join(*root, "content"))
		return exitUsage
	}
	ctx := context.Background()
	client, err := api.client(ctx)
	if err != nil {
		fmt.Fprintf(c.stderr, "journeys content publish: %v\n", err)
		return exitUsage
	}
	res, err := client.PutContent(ctx, manage.ContentRequest{Files: files, RequireApproval: *approval})
	if err != nil {
		return c.apiFailed("content publish", err)
	}
	if *api.asJSON {
		return c.printJSON(res)
	}
	for _, it := range res.Items {
		line := fmt.Sprintf("%s %s %s v%d", it.Kind, it.ID, it.Locale, it.Version)
		if it.Shared {
			line += " (shared)"
		}
		switch it.Status {
		case manage.ContentPending:
			line += " pending approval " + it.Approval
		default:
			line += " " + it.Status
		}
		fmt.Fprintln(c.stdout, line)
	}
	if res.Unchecked != "" {
		fmt.Fprintf(c.stderr, "journeys content publish: not checked: %s\n", res.Unchecked)
	}
	return exitOK
}
