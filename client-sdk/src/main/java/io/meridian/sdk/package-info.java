/**
 * The Java SDK of Meridian: {@link io.meridian.sdk.Meridian#builder()} makes a client; the client
 * makes typed handles ({@link io.meridian.sdk.Counter}, {@link io.meridian.sdk.Register}, {@link
 * io.meridian.sdk.MultiValueRegister}, {@link io.meridian.sdk.Flag}, {@link
 * io.meridian.sdk.GrowOnlySet}, {@link io.meridian.sdk.ElementSet}, {@link
 * io.meridian.sdk.ObservedRemoveMap}, {@link io.meridian.sdk.ReplicatedList}); every update returns
 * a {@link io.meridian.sdk.WriteReceipt}; every failure is a {@link
 * io.meridian.sdk.MeridianException}. Everything else in the package is an implementation detail.
 */
package io.meridian.sdk;
