package main

// extraCommands lists the subcommands beyond version. Each entry's run
// function lives in a file named after the command.
func extraCommands() []command {
	return []command{
		{"linkedin", "manage LinkedIn lead notification subscriptions", runLinkedIn},
		{"validate", "check journeys, segments, the contact schema and sample contacts", runValidate},
		{"compile", "compile journeys to Step Functions state machines (ASL JSON)", runCompile},
		{"graph", "print a journey as a Mermaid flowchart", runGraph},
		{"invoke", "run a built function under the Lambda emulator against seeded moto", runInvoke},
		{"preview", "render a content template for a contact: subject, text, headers, HTML to a file", runPreview},
		{"render", "render a plain Liquid file with blocks and JSON data (for comparison)", runRender},
		{"asl", "run or validate an Amazon States Language state machine", runASL},
		{"run", "simulate a journey on a virtual clock and print its funnel", runRun},
		{"test", "run journey test files (<journey>.test.yaml) on a virtual clock", runTest},
		{"dev", "run the journeys system on this machine: HTTP API, store, engine, outbox", runDev},
		{"demo", "the local runtime on the bundled examples, end to end, in under a minute", runDemo},
		{"publish", "publish a journey: a new state machine version, the alias moved to it", runPublish},
		{"status", "show a journey's status, version, alias, funnel and active enrolments", runStatus},
		{"pause", "stop new enrolments and hold contacts at their next step", runPause},
		{"resume", "make a paused or stopped journey active again", runResume},
		{"stop", "end a journey for everyone, with a reason", runStop},
		{"rollback", "move a journey's alias back to an earlier version", runRollback},
		{"versions", "list a journey's published versions", runVersions},
		{"launch", "launch a segment journey now", runLaunch},
		{"apikey", "create, list and revoke a business unit's API keys in the store", runAPIKey},
		{"cost", "estimate what a journey costs on AWS per contact and per N contacts", runCost},
		{"content", "upload templates and blocks to a deployed system's content library", runContent},
	}
}
