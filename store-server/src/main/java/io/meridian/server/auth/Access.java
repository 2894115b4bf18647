package io.meridian.server.auth;

/** What a request does, and so which scope it needs. */
public enum Access {
  /** Reads objects of a bucket: {@code read:PATTERN} or {@code write:PATTERN}. */
  READ,
  /** Changes objects of a bucket: {@code write:PATTERN}. */
  WRITE,
  /** Reads the region's state ({@code /v1/status}, {@code /metrics}): {@code admin}. */
  ADMIN
}
