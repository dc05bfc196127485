package linkedin

import (
	"os"
	"path/filepath"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testLead(t testing.TB) Lead {
	t.Helper()
	l, err := ParseLead(readTestdata(t, "lead.json"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func testForm(t testing.TB) Form {
	t.Helper()
	f, err := ParseForm(readTestdata(t, "form.json"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
