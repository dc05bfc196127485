// Package journeytest runs journey test files (<id>.test.yaml, next to
// the journey): given contacts and scripted events, each test expects the
// path every contact takes through the steps, the messages it receives
// (channel, template, time), the step log entries that say why, and its
// final state. Tests run on the simulator's virtual clock with the real
// handlers in-process, so months of journey pass in milliseconds and every
// run is the same; a failure is reported with a diff.
package journeytest
