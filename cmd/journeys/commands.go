package main

// extraCommands lists the subcommands beyond version. Each entry's run
// function lives in a file named after the command.
func extraCommands() []command {
	return []command{
		{"asl", "run or validate an Amazon States Language state machine", runASL},
	}
}
