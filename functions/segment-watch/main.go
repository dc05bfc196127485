// Command segment-watch reads the table's DynamoDB stream and enrols
// contacts who join the segment of a journey with enrolNewMembers
// (internal/launch).
package main

import (
	"time"

	"github.com/journeys-oss/journeys/internal/enrol"
	"github.com/journeys-oss/journeys/internal/lambdamain"
	"github.com/journeys-oss/journeys/internal/launch"
)

func main() {
	lambdamain.Run(func(rt *lambdamain.Runtime) (any, error) {
		w := &launch.Watcher{Store: rt.Store, Catalog: rt.Catalog, Enroller: enrol.New(rt.Store, rt.Catalog, rt.Workflow, time.Now),
			Interactions: launch.StoreInteractions(rt.Store), Logger: rt.Logger}
		return launch.StreamHandler(w), nil
	})
}
