// Package journey owns the journey language: the model of journeys, segment
// files, a business unit's contact schema and sample contacts; parsing them
// from YAML with a position on every node; and checking them (Check) before
// anything compiles or runs.
//
// Parsing never stops at the first problem: the decoder and the checker
// collect every problem they find into a Problems list, each with the
// file:line:column it concerns and, where one helps, a hint (did you mean,
// allowed values, limits with units). CEL conditions are type-checked by
// internal/segment against the business unit's contact schema and their
// errors are placed inside the YAML file. Content (templates and blocks) is
// checked through the small Content interface, which internal/content
// implements; a nil Content skips those checks.
//
// Parsed values are plain data: once Check has accepted a Journey, callers
// may read it from many goroutines.
package journey
