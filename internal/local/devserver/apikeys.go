package devserver

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/journeys-oss/journeys/internal/manage"
	"github.com/journeys-oss/journeys/internal/store"
)

// KeyFileName is the file in the data folder that holds the dev server's
// local API keys, readable by its owner only.
const KeyFileName = "api-keys.json"

// LocalKeyName names the local API key the dev server keeps for each
// business unit.
const LocalKeyName = "local-dev"

// A KeyFile is what the key file holds: where the server listens, and the
// secret of each business unit's local key (all scopes). Commands that
// talk to the local server read it when they are given no key.
type KeyFile struct {
	URL  string            `json:"url"`
	Keys map[string]string `json:"keys"` // business unit → secret
}

// ReadKeyFile reads the key file of a data folder; os.ErrNotExist when no
// dev server has written one.
func ReadKeyFile(dataDir string) (KeyFile, error) {
	var kf KeyFile
	raw, err := os.ReadFile(filepath.Join(dataDir, KeyFileName))
	if err != nil {
		return kf, fmt.Errorf("read dev api keys: %w", err)
	}
	if err := json.Unmarshal(raw, &kf); err != nil {
		return kf, fmt.Errorf("read dev api keys %s: %w", filepath.Join(dataDir, KeyFileName), err)
	}
	return kf, nil
}

// writeKeyFile replaces the key file (mode 0600) in one rename.
func writeKeyFile(dataDir string, kf KeyFile) error {
	raw, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dataDir, KeyFileName+".*")
	if err != nil {
		return fmt.Errorf("write dev api keys: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err = tmp.Chmod(0o600); err == nil { // CreateTemp makes 0600 already; say so for the reader
		_, err = tmp.Write(append(raw, '\n'))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dataDir, KeyFileName))
	}
	if err != nil {
		return fmt.Errorf("write dev api keys: %w", err)
	}
	return nil
}

// businessUnits lists the business units of the settings folder and of
// the published journeys, sorted.
func (s *Server) businessUnits() []string {
	files, _ := filepath.Glob(filepath.Join(s.sys.Settings.Path(), "*.settings.yaml"))
	var bus []string
	for _, f := range files {
		bus = append(bus, strings.TrimSuffix(filepath.Base(f), ".settings.yaml"))
	}
	for _, r := range s.published {
		bus = append(bus, r.BU)
	}
	slices.Sort(bus)
	return slices.Compact(bus)
}

// ensureLocalKeys makes sure each business unit has a local key whose
// secret the key file holds: a key the file names and the store still
// has is kept; otherwise the unit's old local keys (their secret is lost)
// are revoked and a new one made. The file then names this server's URL.
func (s *Server) ensureLocalKeys(ctx context.Context) error {
	old, err := ReadKeyFile(s.cfg.DataDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("dev api keys unreadable: making new ones", "error", err.Error())
	}
	kf := KeyFile{URL: s.url, Keys: map[string]string{}}
	for _, bu := range s.businessUnits() {
		if secret := old.Keys[bu]; secret != "" {
			k, err := s.sys.Store.GetAPIKey(ctx, manage.HashKey(secret))
			if err == nil && k.BU == bu && !k.Expired(s.sys.Now()) {
				kf.Keys[bu] = secret
				continue
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("local api key of %s: %w", bu, err)
			}
		}
		if _, err := manage.RevokeKey(ctx, s.sys.Store, bu, LocalKeyName); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("local api key of %s: %w", bu, err)
		}
		secret, _, err := manage.CreateKey(ctx, s.sys.Store, manage.KeyRequest{BU: bu, Name: LocalKeyName, Scopes: manage.LocalScopes()}, s.sys.Now())
		if err != nil {
			return fmt.Errorf("local api key of %s: %w", bu, err)
		}
		kf.Keys[bu] = secret
		s.log.Info("local api key made", "bu", bu, "file", filepath.Join(s.cfg.DataDir, KeyFileName))
	}
	return writeKeyFile(s.cfg.DataDir, kf)
}

// KeyFile returns the path of the server's key file.
func (s *Server) KeyFile() string { return filepath.Join(s.cfg.DataDir, KeyFileName) }

// Key management while the server runs. The server holds the store's file
// lock, so `journeys apikey` cannot open the store; it asks the server
// instead, on these routes, which answer loopback callers only (the
// caller then has the data folder anyway).
//
//	POST /local/apikeys              {bu, name, scopes, expiresIn} → {secret, key}
//	GET /local/apikeys?bu=BU         → {keys}
//	DELETE /local/apikeys/{bu}/{name} → {revoked}

// A KeyCreation is the body of POST /local/apikeys.
type KeyCreation struct {
	BU     string   `json:"bu"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// ExpiresIn is how long the key works, a Go duration ("720h"; empty:
	// for ever), counted on the server's clock: journey time, which the
	// management API checks expiry against.
	ExpiresIn string `json:"expiresIn,omitempty"`
}

// A CreatedKey is the answer of POST /local/apikeys: the secret, shown
// once, and the stored record.
type CreatedKey struct {
	Secret string       `json:"secret"`
	Key    store.APIKey `json:"key"`
}

func (s *Server) keyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /local/apikeys", loopbackOnly(s.fileHolder(s.createKey)))
	mux.HandleFunc("GET /local/apikeys", loopbackOnly(s.fileHolder(s.listKeys)))
	mux.HandleFunc("DELETE /local/apikeys/{bu}/{name}", loopbackOnly(s.fileHolder(s.revokeKey)))
}

// fileHolder lets through only a caller that can read the key file (mode
// 0600): it must send one of the file's secrets as a bearer token. Being
// on loopback is not enough, another user of the machine is there too.
func (s *Server) fileHolder(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		kf, err := ReadKeyFile(s.cfg.DataDir)
		if !ok || err != nil || !HoldsKeyFile(kf, token) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "key management needs a secret of " + KeyFileName + " as a bearer token"})
			return
		}
		h(w, r)
	}
}

// HoldsKeyFile reports whether token is one of the key file's secrets,
// in constant time per secret.
func HoldsKeyFile(kf KeyFile, token string) bool {
	held := false
	for _, secret := range kf.Keys {
		if token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(secret)) == 1 {
			held = true
		}
	}
	return held
}

// AnyKey returns one secret of the key file (the proof fileHolder asks
// for), "" when it holds none.
func (kf KeyFile) AnyKey() string {
	for _, bu := range slices.Sorted(maps.Keys(kf.Keys)) {
		return kf.Keys[bu]
	}
	return ""
}

// loopbackOnly refuses callers from other machines (the server may listen
// on more than loopback).
func loopbackOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "key management answers loopback callers only"})
			return
		}
		h(w, r)
	}
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	var req KeyCreation
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body: " + err.Error()})
		return
	}
	now := s.sys.Now()
	kr := manage.KeyRequest{BU: req.BU, Name: req.Name, Scopes: req.Scopes}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "expiresIn: " + err.Error()})
			return
		}
		kr.ExpiresAt = now.Add(d)
	}
	secret, key, err := manage.CreateKey(r.Context(), s.sys.Store, kr, now)
	if err != nil {
		writeKeyError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, CreatedKey{Secret: secret, Key: key})
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := s.sys.Store.ListAPIKeys(r.Context(), r.URL.Query().Get("bu"))
	if err != nil {
		writeKeyError(w, err)
		return
	}
	if keys == nil {
		keys = []store.APIKey{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	n, err := manage.RevokeKey(r.Context(), s.sys.Store, r.PathValue("bu"), r.PathValue("name"))
	if err != nil {
		writeKeyError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
}

func writeKeyError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, store.ErrExists):
		status = http.StatusConflict
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
