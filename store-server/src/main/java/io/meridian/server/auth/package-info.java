/**
 * Client authentication of the HTTP API (API "Authentication"): API tokens kept as SHA-256 hashes
 * in a file that is read again on change and on SIGHUP, their scopes on bucket name patterns, and
 * the per-client bounds (requests in flight per token and per connection, header and body read
 * deadlines) that {@link io.meridian.server.auth.ClientGuard} enforces in front of the router.
 */
package io.meridian.server.auth;
