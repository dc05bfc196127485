package linkedin

import "testing"

// BenchmarkReceive is the handler's hot path: signature then parse.
func BenchmarkReceive(b *testing.B) {
	body := readTestdata(b, "notification.json")
	sig := Sign(testSecret, body)
	secrets := []string{testSecret}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := VerifySignature(secrets, sig, body); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseNotification(body); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "notifications/s")
}

func BenchmarkMap(b *testing.B) {
	lead, form, m := testLead(b), testForm(b), baseMapping()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := m.Map(lead, form); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "leads/s")
}
