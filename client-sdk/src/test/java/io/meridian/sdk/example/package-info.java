/**
 * The README's example: a small offline-capable application written against the SDK's public
 * surface only, compiled and run by the build.
 */
package io.meridian.sdk.example;
