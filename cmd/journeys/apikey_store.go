package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/journeys-oss/journeys/internal/local/devserver"
	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
	"github.com/journeys-oss/journeys/internal/store/dynamo"
	"github.com/journeys-oss/journeys/internal/store/embedded"
	bolterrors "go.etcd.io/bbolt/errors"
)

// A keyBackend is where `journeys apikey` keeps keys: a store it opened,
// or the running dev server that holds the local store.
type keyBackend interface {
	create(ctx context.Context, req manage.KeyRequest, exp expiry) (string, store.APIKey, error)
	list(ctx context.Context, bu string) ([]store.APIKey, error)
	revoke(ctx context.Context, bu, name string) (int, error)
	where() string
	close() error
}

// backend opens the store the flags name.
func (o *apiKeyOptions) backend(ctx context.Context) (keyBackend, error) {
	if o.table != "" {
		return openDynamoKeys(ctx, o.table, o.endpoint)
	}
	return openLocalKeys(o.data)
}

// storeKeys is a backend over a store opened directly.
type storeKeys struct {
	ks     manage.KeyStore
	desc   string
	closer func() error
}

func (s storeKeys) close() error { return s.closer() }

func (s storeKeys) create(ctx context.Context, req manage.KeyRequest, exp expiry) (string, store.APIKey, error) {
	now := time.Now()
	req.ExpiresAt = exp.from(now)
	return manage.CreateKey(ctx, s.ks, req, now)
}

func (s storeKeys) list(ctx context.Context, bu string) ([]store.APIKey, error) {
	keys, err := s.ks.ListAPIKeys(ctx, bu)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

func (s storeKeys) revoke(ctx context.Context, bu, name string) (int, error) {
	return manage.RevokeKey(ctx, s.ks, bu, name)
}

func (s storeKeys) where() string { return s.desc }

// openDynamoKeys opens the table with the default AWS credential chain.
func openDynamoKeys(ctx context.Context, table, endpoint string) (keyBackend, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	// The adapter needs the key of the suppression list's address hashes,
	// which API key records never use: a throwaway one keeps this command
	// from needing the secret (it is used only through manage.KeyStore).
	throwaway := make([]byte, 32)
	_, _ = rand.Read(throwaway)
	st, err := dynamo.New(dynamodb.NewFromConfig(cfg), table, store.Config{SuppressionKey: throwaway})
	if err != nil {
		return nil, err
	}
	return storeKeys{ks: st, desc: "table " + table, closer: func() error { return nil }}, nil
}

// localLockWait is how long the command waits for the local store's file
// lock before concluding that journeys dev holds it.
const localLockWait = 500 * time.Millisecond

// openLocalKeys opens the local project store, or, when journeys dev holds
// it, the dev server that does (its key file names its URL).
func openLocalKeys(dataDir string) (keyBackend, error) {
	path := filepath.Join(dataDir, "store.db")
	if _, err := os.Stat(dataDir); err != nil {
		return nil, fmt.Errorf("no local data folder %s (run journeys dev once, or give --data or --table): %w", dataDir, err)
	}
	st, err := embedded.Open(path, store.Config{}, embedded.Options{LockTimeout: localLockWait})
	if err == nil {
		return storeKeys{ks: st, desc: path, closer: st.Close}, nil
	}
	if !errors.Is(err, bolterrors.ErrTimeout) {
		return nil, err
	}
	kf, kerr := devserver.ReadKeyFile(dataDir)
	if kerr != nil || kf.URL == "" || !loopbackURL(kf.URL) {
		return nil, fmt.Errorf("%s is locked by another process, and no dev server's loopback address is known in %s: %w",
			path, filepath.Join(dataDir, devserver.KeyFileName), err)
	}
	return devKeys{url: kf.URL, proof: kf.AnyKey(), http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// devKeys is a backend over the running dev server's /local/apikeys.
type devKeys struct {
	url   string
	proof string // a secret of the key file: the server asks for it
	http  *http.Client
}

func (d devKeys) where() string { return "the dev server at " + d.url }
func (d devKeys) close() error  { return nil }

func (d devKeys) create(ctx context.Context, req manage.KeyRequest, exp expiry) (string, store.APIKey, error) {
	in := exp.in
	if !exp.at.IsZero() {
		in = time.Until(exp.at)
	}
	body := devserver.KeyCreation{BU: req.BU, Name: req.Name, Scopes: req.Scopes}
	if in > 0 {
		body.ExpiresIn = in.String()
	}
	var out devserver.CreatedKey
	err := d.do(ctx, http.MethodPost, "/local/apikeys", body, &out)
	return out.Secret, out.Key, err
}

func (d devKeys) list(ctx context.Context, bu string) ([]store.APIKey, error) {
	var out struct{ Keys []store.APIKey }
	err := d.do(ctx, http.MethodGet, "/local/apikeys?bu="+url.QueryEscape(bu), nil, &out)
	return out.Keys, err
}

func (d devKeys) revoke(ctx context.Context, bu, name string) (int, error) {
	var out struct{ Revoked int }
	err := d.do(ctx, http.MethodDelete, "/local/apikeys/"+url.PathEscape(bu)+"/"+url.PathEscape(name), nil, &out)
	return out.Revoked, err
}

// do sends a request and decodes the answer; an error answer becomes an
// error wrapping the store sentinel its status stands for.
func (d devKeys) do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.url+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.proof)
	resp, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("dev server at %s: %w", d.url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("dev server at %s: %w", d.url, err)
	}
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		_ = json.Unmarshal(raw, &e)
		return fmt.Errorf("dev server at %s: %s: %w", d.url, e.Error, statusSentinel(resp.StatusCode))
	}
	return json.Unmarshal(raw, out)
}

func statusSentinel(status int) error {
	switch status {
	case http.StatusBadRequest:
		return store.ErrInvalid
	case http.StatusNotFound:
		return store.ErrNotFound
	case http.StatusConflict:
		return store.ErrExists
	}
	return fmt.Errorf("status %d", status)
}
