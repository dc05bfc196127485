package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/journeys-oss/journeys/internal/lambdamain/sample"
)

// writeSAMEnv writes the --env-vars file of `sam local invoke` for the
// sample just seeded: every function of template.yaml with the values of
// the variables it declares (sample.SAMEnv), the moto server's URLs
// (AWS_ENDPOINT_URL, the queues) as a container reaches them.
func writeSAMEnv(o invokeOptions, root string, env []string) error {
	tmpl, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	ep := o.containerEndpoint
	if ep == "" {
		ep = containerEndpoint(o.endpoint)
	}
	for i, kv := range env { // AWS_ENDPOINT_URL, the queue URLs
		env[i] = strings.ReplaceAll(kv, o.endpoint, ep)
	}
	vars, err := sample.SAMEnv(tmpl, env)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(vars, "", "  ") // maps marshal in key order
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.writeEnv, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write env file: %w", err)
	}
	return nil
}

// containerEndpoint is endpoint as a Docker container reaches it: a
// loopback host becomes host.docker.internal.
func containerEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		u.Host = "host.docker.internal"
		if p := u.Port(); p != "" {
			u.Host += ":" + p
		}
	}
	return u.String()
}
