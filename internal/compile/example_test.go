package compile_test

import (
	"fmt"

	"github.com/journeys-oss/journeys/internal/compile"
	"github.com/journeys-oss/journeys/internal/journey"
)

func ExampleCompile() {
	lib := journey.NewLibrary()
	lib.AddSchema("acme.schema.yaml", []byte("businessUnit: acme\nattributes:\n  plan: {type: string}\n"))
	j, _ := journey.ParseJourney("hello.journey.yaml", []byte(`id: hello
name: Hello
businessUnit: acme
trigger: {event: {name: signup.completed}}
steps:
  - id: welcome
    send: {channel: email, template: welcome}
  - id: pro
    if: {condition: contact.plan == "pro", then: thanks, else: end}
  - id: thanks
    send: {channel: email, template: thanks}
`))
	checked, problems := journey.Check(j, lib)
	if len(problems) > 0 {
		fmt.Println(problems)
		return
	}
	res, err := compile.Compile(checked, compile.Options{Source: "hello.journey.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Stats.States, "states")
	fmt.Println(res.States["Check pro"])
	// Output:
	// 17 states
	// hello.journey.yaml:8:5
}
