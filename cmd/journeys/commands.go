package main

// extraCommands lists the subcommands beyond version. Each entry's run
// function lives in a file named after the command.
func extraCommands() []command {
	return []command{
		{"preview", "render a content template for a contact: subject, text, headers, HTML to a file", runPreview},
		{"render", "render a plain Liquid file with blocks and JSON data (for comparison)", runRender},
	}
}
