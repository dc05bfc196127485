package storetest

import (
	"fmt"
	"time"

	"github.com/journeys-oss/journeys/internal/store"
)

// SamplePatch is a realistic contact for benchmarks: id c-<i>, a unique
// address, a dozen fields, three attributes (one a list), email consent.
func SamplePatch(i int) store.ContactPatch {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return store.ContactPatch{
		ID: fmt.Sprintf("c-%07d", i), Email: store.String(fmt.Sprintf("person%d@example.com", i)),
		FirstName: store.String("Ada"), LastName: store.String("Lovelace"), Company: store.String("Engines"),
		Country: store.String("GB"), Timezone: store.String("Europe/London"), Locale: store.String("en-GB"),
		Owner: store.String("rep-1"), LifecycleStage: store.String("lead"),
		Attributes: map[string]store.Value{"score": store.NumberValue(float64(i % 100)), "plan": store.StringValue("pro"), "tags": store.ListValue("a", "b")},
		Channels:   map[string]store.Consent{"email": {Status: store.ConsentGranted, Source: "form", At: at}},
	}
}

// SampleInteraction is interaction n of a contact: a send, open or click
// of a journey step, one minute after the one before.
func SampleInteraction(contact string, n int) store.Interaction {
	kinds := []store.InteractionKind{store.InteractionSent, store.InteractionOpened, store.InteractionClicked}
	i := store.Interaction{Contact: contact, Kind: kinds[n%3], Channel: "email", Journey: "welcome", Version: 1,
		Step: fmt.Sprint("send-", n/3), At: start.Add(time.Duration(n) * time.Minute)}
	if i.Kind == store.InteractionClicked {
		i.Detail = map[string]string{"link": "l-1"}
	}
	return i
}
