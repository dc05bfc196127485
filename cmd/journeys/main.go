// Command journeys validates, compiles, runs, serves and publishes customer
// journeys. Every subcommand is a thin shell over a package under internal/.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
