/**
 * Client sessions (API "Sessions"): the {@link io.meridian.server.session.SessionToken} carried in
 * the {@code Meridian-Session} header, its {@link io.meridian.server.session.SessionTokenCodec},
 * and the parsing of {@code Meridian-Guarantees} and {@code Meridian-Wait} into {@link
 * io.meridian.server.session.Guarantee}s and a wait. The guarantees are those of Terry et al.,
 * "Session Guarantees for Weakly Consistent Replicated Data" (PDIS 1994), over the whole store.
 */
package io.meridian.server.session;
