package main

// extraCommands lists the subcommands beyond version. Each entry's run
// function lives in a file named after the command.
func extraCommands() []command {
	return []command{
		{"linkedin", "manage LinkedIn lead notification subscriptions", runLinkedIn},
	}
}
