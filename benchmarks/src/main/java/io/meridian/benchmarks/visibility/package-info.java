/**
 * Visibility at another region, measured from outside (a watch and a poller reading session tokens)
 * and by the regions' own metric, with remote entries visible before and after the receiver's
 * fsync: {@link io.meridian.benchmarks.visibility.VisibilityFigures}.
 */
package io.meridian.benchmarks.visibility;
