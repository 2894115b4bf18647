/**
 * The spin model of Meridian's replication protocol ({@code replication/model/meridian.pml}),
 * checked exhaustively for two and three regions, run from the build: the real model must give no
 * error and each mutant (a known bug compiled in) must give one, so the checks are not vacuous.
 * Model checking after Holzmann, "The Model Checker SPIN", IEEE TSE 23(5), 1997.
 */
package io.meridian.replication.model;
