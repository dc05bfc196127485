package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/journeys-oss/journeys/internal/store"
)

// RunKV runs the conformance suite of store.KV (embedded only).
func RunKV(t *testing.T, kv store.KV) {
	ctx := context.Background()
	_, err := kv.GetKV(ctx, "exec/none")
	isErr(t, "missing", err, store.ErrNotFound)
	isErr(t, "empty key", kv.PutKV(ctx, "", []byte("x")), store.ErrInvalid)
	var want []store.KVPair
	for i := range 7 {
		p := store.KVPair{Key: fmt.Sprintf("exec/%02d", i), Value: []byte(fmt.Sprintf(`{"state":%d}`, i))}
		noErr(t, kv.PutKV(ctx, p.Key, p.Value))
		want = append(want, p)
	}
	noErr(t, kv.PutKV(ctx, "exec/03", []byte(`{"state":"replaced"}`)))
	want[3].Value = []byte(`{"state":"replaced"}`)
	noErr(t, kv.PutKV(ctx, "execution-other", []byte("x")))
	noErr(t, kv.PutKV(ctx, "alias/welcome", []byte("3")))
	same(t, "get", ok(kv.GetKV(ctx, "exec/03"))(t), want[3].Value)
	same(t, "list by prefix, pages of 3", collect(t, func(cur string) (store.Page[store.KVPair], error) {
		return kv.ListKV(ctx, "exec/", cur, 3)
	}), want)
	noErr(t, kv.DeleteKV(ctx, "exec/00"))
	noErr(t, kv.DeleteKV(ctx, "exec/00"))
	_, err = kv.GetKV(ctx, "exec/00")
	isErr(t, "deleted", err, store.ErrNotFound)
	same(t, "after delete", len(ok(kv.ListKV(ctx, "exec/", "", 0))(t).Items), 6)
	p := ok(kv.ListKV(ctx, "exec/", "", 2))(t)
	_, err = kv.ListKV(ctx, "alias/", p.Next, 2)
	isErr(t, "cursor of another prefix", err, store.ErrInvalid)
}
