package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/journeys-oss/journeys/internal/webhook"
)

// The signature of the example message published with the Standard Webhooks
// specification, and its verification by a receiver.
func ExampleSignHeaders() {
	secret, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	sent := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	h := http.Header{}
	webhook.SignHeaders(h, []webhook.Secret{secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek", sent, body)
	fmt.Println(h.Get(webhook.HeaderSignature))

	now := func() time.Time { return sent.Add(time.Minute) }
	v := &webhook.Verifier{Secrets: []webhook.Secret{secret}, Now: now, Seen: &webhook.MemorySeen{Now: now}}
	_, err := v.Verify(context.Background(), h, body)
	fmt.Println(err)
	_, err = v.Verify(context.Background(), h, body)
	fmt.Println(webhook.HTTPStatus(err))
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
	// <nil>
	// 409
}
