// Package settings reads the per-business-unit settings file,
// journeys/settings/<bu>.settings.yaml: how each channel delivers (a
// provider webhook or the local outbox), the outbound webhook actions
// journeys may call, the tracking endpoint's base URL and signing keys, the
// sender and postal address, the preference centre's topics, and the
// outbound allow-list every outgoing call is checked against.
//
// Secrets never appear in the file: it names them (secret: channel-email),
// and a SecretSource resolves the name where the code runs. Locally,
// LocalSecrets reads JOURNEYS_SECRET_<NAME> environment variables or the
// git-ignored .journeys/secrets.yaml, generating a value on first use; in
// AWS, AWSSecrets reads Secrets Manager secrets <prefix><name>, cached.
//
// Sections this package does not know (approvals, linkedin, ...) are kept
// as YAML nodes; their owners decode them with Settings.Section, so adding a
// section needs no change here. See docs in the package's example file.
package settings
