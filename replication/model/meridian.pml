/*
 * Meridian's replication protocol (ReplicaCore) at the level of its rules, for spin.
 *
 * R regions each make U local updates; every entry (origin, seq, deps) then travels over links
 * that lose, duplicate and reorder, is delivered causally through a bounded buffer, is relayed
 * by regions other than its origin, is acknowledged with applied vectors and finally leaves every
 * log once stable. Regions crash and restart with what was persisted.
 *
 * Processes:
 *   Region(r)     the local side of region r: a client update (nextLocalStamp + appendLocal) and
 *                 persisting the oldest accepted entry (Ready steps 1-2, then advance).
 *   Link(from,to) everything about the direction from -> to: `from` sending its next log entry
 *                 (sendEntries / sendEntryFrames), a header of `from` reaching `to` (step on the
 *                 frame header: the acknowledgement), and the network delivering, duplicating or
 *                 losing entries in flight, with `to` taking them (step -> receiveEntry).
 *   Clock         time: when nothing else can happen (spin's timeout) every timer is due at once:
 *                 go-back-N resends, relayTooEarly() turns false, heartbeats go out.
 *   Faults        crashes and restarts (ReplicaCore.restore), up to CRASHES_MAX in a run.
 *
 * Channels: a link is not a FIFO. Entries in flight from -> to are a set (bag[from * R + to], one
 * bit per entry): any element may be delivered next (reordering), delivered and kept for a second
 * delivery (duplication, DUPLICATES_MAX in a run) or dropped (loss, LOSSES_MAX in a run). With
 * INSTANT_LINKS (used for R = 3) an entry is taken as it is sent, or lost. A header (applied and
 * stable vectors) is taken as it is delivered: one delivered late is one sent late, an older one
 * arriving after a newer one changes nothing in the core (vectors only join), and a lost one
 * leaves the next heartbeat to carry the same news, so no header slot is needed.
 *
 * Every action is one d_step: the core has a single owner, so each of its methods is atomic.
 * Bounds on faults and early timers keep every run finite; that is also the fairness assumption
 * of L1: after the last loss, crash and early timer, links deliver and timers fire when due.
 *
 * Properties (assertions; see README.md):
 *   S1   every accepted and every applied entry has its origin's previous entry and all its
 *        dependencies accepted (applied) already: accept() and advance() assert it.
 *   S7   no entry leaves a region's log while some region has not applied (persisted) it:
 *        updateStableAndTrim() asserts it for every entry it trims.
 *   settled  when the meet of acknowledgements covers an entry, every entry prepared without it
 *        is inside an applied vector this region knows: updateStableAndTrim() asserts it.
 *   bounds   the delivery buffer and the in-flight window are never exceeded.
 *   honest   no frame an honest region sends is one the core would reject (deliverHeader,
 *        receiveEntry), and a seq reused after a crash never left its region (appendLocal).
 *   L1   ltl l1: every region eventually applies every update and trims it from its log.
 *
 * Mutants (-DMUTANT_...), each a known bug that must make spin report an error:
 *   MUTANT_NO_DEPS_CHECK       deliverable() ignores deps (checks only the origin's seq)
 *   MUTANT_TRIM_ON_ORIGIN_ACK  an origin's entries are trimmed on the origin's ack only
 *   MUTANT_STABLE_JOIN         stable is the join of acknowledgements instead of the meet
 *   MUTANT_ACK_ACCEPTED        a header acknowledges accepted (not yet persisted) entries
 *   MUTANT_ACK_APPLIED         a header acknowledges its applied vector, not held back for local
 *                              entries prepared without part of it (settled assertion)
 *   MUTANT_NO_RESEND           no go-back-N: an entry lost or dropped from a full buffer is
 *                              never sent again
 *   MUTANT_NO_RELAY            a region sends only its own entries (with CUT_LINK)
 */

#ifndef R
#define R 3
#endif
#ifndef U
#define U 2
#endif
#ifndef BUFFER_ENTRIES_MAX
#define BUFFER_ENTRIES_MAX 1
#endif
#ifndef IN_FLIGHT_ENTRIES_MAX
#define IN_FLIGHT_ENTRIES_MAX 2
#endif
#ifndef LOSSES_MAX
#define LOSSES_MAX 1
#endif
#ifndef DUPLICATES_MAX
#define DUPLICATES_MAX 1
#endif
#ifndef CRASHES_MAX
#define CRASHES_MAX 1
#endif
#ifndef EARLY_TIMERS_MAX
#define EARLY_TIMERS_MAX 0
#endif

#if R < 2 || R > 3
#error "the model is written for 2 or 3 regions"
#endif
#if R * U > 9
#error "at most 9 entries in a run (one bit each in a bag)"
#endif

#define ENTRIES (R * U)
#define ID(o, s) ((o) * U + (s) - 1)
#define ORIGIN(id) ((id) / U)
#define SEQ(id) ((id) % U + 1)
#define BIT(id) (1 << (id))

/* Vectors, flattened: what region r holds of origin o; what region r knows of peer p, origin o. */
#define AT(r, o) ((r) * R + (o))
#define PAIR(r, p, o) (((r) * R + (p)) * R + (o))
#define DEP(id, q) deps[(id) * R + (q)]
#define BASIS(id, q) bases[(id) * R + (q)]
#define MIN(a, b) ((a) < (b) -> (a) : (b))
#define MAX(a, b) ((a) > (b) -> (a) : (b))

/* The ground truth: deps of each entry, written by its origin (VersionVector deps in LogEntry). */
byte deps[ENTRIES * R];

/*
 * The basis of each entry, written by its origin: the vector it had applied at the stamp, what
 * the entry's payload was prepared on (Unpersisted.basis, ReplicaCore.unappliedLocalBases).
 */
byte bases[ENTRIES * R];

/* ReplicaCore fields, one row per region. */
byte accepted[R * R];            /* accepted: handed out or waiting to be (in memory) */
byte applied[R * R];             /* applied: on disk and visible; survives a crash */
byte stable[R * R];              /* stable */
byte trimmed[R * R];             /* trimmed: the log of origin o is (trimmed, applied] */
short buffer[R];                 /* buffer: entries waiting for their causal past, a set */
byte bufferEntries[R];
byte pending[R * ENTRIES];       /* pending: accepted entries not yet persisted, in order */
byte pendingEntries[R];
byte known[R * R * R];           /* Peer.known: the peer's applied vector, from its headers */
byte acked[R * R * R];           /* Peer.acknowledged: the peer's acknowledgement, from its headers */
byte sent[R * R * R];            /* Peer.sent: what was sent beyond it (go-back-N) */
bool heard[R * R];               /* Peer.heardFrom */
bool relayDue[R * R];            /* relayDelayTicks passed: relayTooEarly() is false */

/* The network, per direction from -> to. */
short bag[R * R];                /* entries in flight, one bit per entry id */

byte lossesLeft = LOSSES_MAX;
byte duplicatesLeft = DUPLICATES_MAX;
byte crashesLeft = CRASHES_MAX;
byte earlyTimersLeft = EARLY_TIMERS_MAX;

/* Scratch registers for the d_steps; hidden, so not part of the state. */
hidden byte scratchRegion;
hidden byte tickFrom;
hidden byte tickTo;
hidden byte scratchOrigin;
hidden byte scratchPeer;
hidden byte scratchSeq;
hidden byte scratchId;
hidden byte scratchCandidate;
hidden byte scratchIndex;
hidden byte scratchMeet;
hidden byte scratchTarget;
hidden byte scratchQ;
hidden byte scratchOk;
hidden byte scratchProgress;

#define HAVE(r, p, o) MAX(known[PAIR(r, p, o)], sent[PAIR(r, p, o)])
#define NEXT(r, p, o) (HAVE(r, p, o) + 1)
#if R == 2
#define IN_FLIGHT(r, p) (HAVE(r, p, 0) - known[PAIR(r, p, 0)] + HAVE(r, p, 1) - known[PAIR(r, p, 1)])
#else
#define IN_FLIGHT(r, p) (HAVE(r, p, 0) - known[PAIR(r, p, 0)] + HAVE(r, p, 1) - known[PAIR(r, p, 1)] \
                         + HAVE(r, p, 2) - known[PAIR(r, p, 2)])
#endif
#define RELAYABLE(r, p, q) ((q) == (r) || relayDue[AT(r, p)])
#define COVERED(r, p, q, id) (DEP(id, q) <= MAX(HAVE(r, p, q), trimmed[AT(r, q)]) || !RELAYABLE(r, p, q))
#if R == 2
#define CAUSALLY_READY(r, p, id) (COVERED(r, p, 0, id) && COVERED(r, p, 1, id))
#else
#define CAUSALLY_READY(r, p, id) (COVERED(r, p, 0, id) && COVERED(r, p, 1, id) && COVERED(r, p, 2, id))
#endif

/*
 * A heartbeat is sent every heartbeatIntervalTicks; the model delivers one whenever it carries
 * news for `to` (it was never heard from, or its applied or stable vector moved past what `to`
 * holds). A heartbeat with no news changes nothing but timers, and a lost one is a late one.
 */
#ifdef MUTANT_ACK_ACCEPTED
#define ACKNOWLEDGED accepted
#else
#define ACKNOWLEDGED applied
#endif
/*
 * acknowledgedVector(): the applied vector held back to the basis of the first local entry not
 * applied yet (its seq is applied[r] + 1 when accepted is ahead), a function of the state.
 * MUTANT_ACK_APPLIED acknowledges the applied vector itself, as the core did before.
 * ACKNOWLEDGE_APPLIED does the same and keeps no bases, for the two largest checks only: it is
 * the protocol before the hold, whose state space the hold multiplies by three to ten (bases and a
 * second vector per peer); the other checks cover the hold.
 */
#if defined(MUTANT_ACK_APPLIED) || defined(ACKNOWLEDGE_APPLIED)
#define HELD(r, o) ACKNOWLEDGED[AT(r, o)]
#else
#define HELD(r, o) (accepted[AT(r, r)] > applied[AT(r, r)] \
    -> MIN(ACKNOWLEDGED[AT(r, o)], BASIS(ID(r, applied[AT(r, r)] + 1), o)) : ACKNOWLEDGED[AT(r, o)])
#endif
#ifdef STABLE_NEWS
#define NEWS_OF(from, to, o) (ACKNOWLEDGED[AT(from, o)] > known[PAIR(to, from, o)] \
    || HELD(from, o) > acked[PAIR(to, from, o)] || stable[AT(from, o)] > stable[AT(to, o)])
#else
#define NEWS_OF(from, to, o) (ACKNOWLEDGED[AT(from, o)] > known[PAIR(to, from, o)] \
    || HELD(from, o) > acked[PAIR(to, from, o)])
#endif
#if R == 2
#define HEADER_NEWS(from, to) (!heard[AT(to, from)] || NEWS_OF(from, to, 0) || NEWS_OF(from, to, 1))
#else
#define HEADER_NEWS(from, to) (!heard[AT(to, from)] || NEWS_OF(from, to, 0) || NEWS_OF(from, to, 1) \
    || NEWS_OF(from, to, 2))
#endif

#ifdef CUT_LINK
#define CUT(from, to) (((from) == 0 && (to) == 1) || ((from) == 1 && (to) == 0))
#else
#define CUT(from, to) false
#endif

#ifdef MUTANT_NO_RELAY
#define RELAYS(r, o) ((o) == (r))
#else
#define RELAYS(r, o) true
#endif

/*
 * sendEntries / sendEntryFrames: r sends peer p the next entry of origin o, once p was heard
 * from, within the in-flight window, from its log (above trimmed, at most applied), unchanged.
 * The core walks its log in causal order and sends each entry with seq == covered[o] + 1 that is
 * not relayTooEarly(); an entry of another origin too early to relay is skipped, and so are the
 * later ones of that origin, while entries of other origins still go. So an entry goes once every
 * dependency on an origin that may go now is covered for p (acknowledged, sent or trimmed, hence
 * stable); dependencies on an origin too early to relay do not hold it back. The model lets r
 * send any such entry, a superset of the core's choices (the core takes them in log order).
 */
#define CAN_SEND(r, p, o) (heard[AT(r, p)] && RELAYS(r, o) \
    && NEXT(r, p, o) <= applied[AT(r, o)] && NEXT(r, p, o) > trimmed[AT(r, o)] \
    && IN_FLIGHT(r, p) < IN_FLIGHT_ENTRIES_MAX && CAUSALLY_READY(r, p, ID(o, NEXT(r, p, o))))

#if R == 2
#define REGION_DONE(r) (applied[AT(r, 0)] == U && applied[AT(r, 1)] == U \
    && trimmed[AT(r, 0)] == U && trimmed[AT(r, 1)] == U)
#define ALL_DONE (REGION_DONE(0) && REGION_DONE(1))
#else
#define REGION_DONE(r) (applied[AT(r, 0)] == U && applied[AT(r, 1)] == U && applied[AT(r, 2)] == U \
    && trimmed[AT(r, 0)] == U && trimmed[AT(r, 1)] == U && trimmed[AT(r, 2)] == U)
#define ALL_DONE (REGION_DONE(0) && REGION_DONE(1) && REGION_DONE(2))
#endif

/* L1, and GC being live: every region applies every update, and every log empties. */
ltl l1 { <> ALL_DONE }

/*
 * PERSIST_AT_ONCE (used with CRASHES_MAX 0, where nothing tells the two apart but the state
 * count): the driver persists what a step accepted before anything else happens.
 */
#ifdef PERSIST_AT_ONCE
#define PERSIST_ALL(r) do :: pendingEntries[r] > 0 -> advance(r) :: else -> break od
#else
#define PERSIST_ALL(r) skip
#endif

/* acceptEntry: S1 at delivery, then accepted moves and the entry waits to be persisted. */
inline accept(r, id) {
  assert(accepted[AT(r, ORIGIN(id))] == SEQ(id) - 1);
  for (scratchQ : 0 .. R - 1) {
    assert(accepted[AT(r, scratchQ)] >= DEP(id, scratchQ))
  }
  accepted[AT(r, ORIGIN(id))] = SEQ(id);
  pending[r * ENTRIES + pendingEntries[r]] = id;
  pendingEntries[r]++
}

/* deliverable: accepted[o] == seq - 1 and accepted >= deps. */
inline deliverable(r, id) {
  scratchOk = (accepted[AT(r, ORIGIN(id))] == SEQ(id) - 1);
#ifndef MUTANT_NO_DEPS_CHECK
  for (scratchQ : 0 .. R - 1) {
    if
    :: accepted[AT(r, scratchQ)] < DEP(id, scratchQ) -> scratchOk = false
    :: else -> skip
    fi
  }
#endif
}

/* nextLocalStamp + appendLocal: deps is everything accepted, the seq the next one. */
inline appendLocal(r) {
  scratchSeq = accepted[AT(r, r)] + 1;
  scratchId = ID(r, scratchSeq);
  /* A seq is reused only after a crash lost its entry, which then never left the region. */
  for (scratchRegion : 0 .. R - 1) {
    assert(scratchRegion == r
        || (accepted[AT(scratchRegion, r)] < scratchSeq && (buffer[scratchRegion] & BIT(scratchId)) == 0));
    for (scratchPeer : 0 .. R - 1) {
      assert((bag[AT(scratchRegion, scratchPeer)] & BIT(scratchId)) == 0)
    }
  }
  for (scratchRegion : 0 .. R - 1) {
    DEP(scratchId, scratchRegion) = accepted[AT(r, scratchRegion)];
#ifndef ACKNOWLEDGE_APPLIED
    BASIS(scratchId, scratchRegion) = applied[AT(r, scratchRegion)];
#endif
    skip
  }
  accept(r, scratchId)
}

/*
 * updateStableAndTrim: stable joins the meet of this region's acknowledgement and every peer's;
 * the log of each origin loses what is stable (S7 checked per entry).
 * logEntriesPerOriginMax is at least U here, so no forced trim and no state transfer.
 *
 * Settled (what settledStableVector() needs, the peer case; with CHECK_SETTLED): when the meet
 * covers an entry, every entry stamped on a state without it is inside the applied vector its
 * origin sent with its acknowledgement (inside this region's own applied vector for its own
 * entries), so this region applies it before it settles. Asserted for every entry that exists
 * (its origin accepted it).
 */
inline updateStableAndTrim(r) {
  for (scratchOrigin : 0 .. R - 1) {
    scratchMeet = HELD(r, scratchOrigin);
    for (scratchPeer : 0 .. R - 1) {
#if defined(MUTANT_STABLE_JOIN)
      if
      :: scratchPeer != r && acked[PAIR(r, scratchPeer, scratchOrigin)] > scratchMeet ->
        scratchMeet = acked[PAIR(r, scratchPeer, scratchOrigin)]
      :: else -> skip
      fi
#elif defined(MUTANT_TRIM_ON_ORIGIN_ACK)
      if
      :: scratchPeer != r && scratchPeer == scratchOrigin && acked[PAIR(r, scratchPeer, scratchOrigin)] < scratchMeet ->
        scratchMeet = acked[PAIR(r, scratchPeer, scratchOrigin)]
      :: else -> skip
      fi
#else
      if
      :: scratchPeer != r && acked[PAIR(r, scratchPeer, scratchOrigin)] < scratchMeet ->
        scratchMeet = acked[PAIR(r, scratchPeer, scratchOrigin)]
      :: else -> skip
      fi
#endif
    }
#ifdef CHECK_SETTLED
    for (scratchCandidate : 0 .. ENTRIES - 1) {
      if
      :: SEQ(scratchCandidate) <= accepted[AT(ORIGIN(scratchCandidate), ORIGIN(scratchCandidate))] && BASIS(scratchCandidate, scratchOrigin) < scratchMeet ->
        assert(SEQ(scratchCandidate) <= (ORIGIN(scratchCandidate) == r -> applied[AT(r, r)] : known[PAIR(r, ORIGIN(scratchCandidate), ORIGIN(scratchCandidate))]))
      :: else -> skip
      fi
    }
#endif
    if
    :: scratchMeet > stable[AT(r, scratchOrigin)] ->
      stable[AT(r, scratchOrigin)] = scratchMeet
    :: else -> skip
    fi;
    scratchTarget = stable[AT(r, scratchOrigin)];
    if
    :: applied[AT(r, scratchOrigin)] < scratchTarget -> scratchTarget = applied[AT(r, scratchOrigin)]
    :: else -> skip
    fi;
    if
    :: scratchTarget > trimmed[AT(r, scratchOrigin)] ->
      for (scratchSeq : trimmed[AT(r, scratchOrigin)] + 1 .. scratchTarget) {
        for (scratchRegion : 0 .. R - 1) {
          assert(applied[AT(scratchRegion, scratchOrigin)] >= scratchSeq)
        }
      }
      trimmed[AT(r, scratchOrigin)] = scratchTarget
    :: else -> skip
    fi
  }
}

/*
 * A basis no longer needed is set to the most a vector holds here (U), so that states differing
 * only in forgotten bases are one. HELD needs it until its origin applied the entry; the settled
 * assertion (CHECK_SETTLED) until every region did, after which no fold anywhere can precede it.
 */
inline forgetBasis(id) {
  scratchOk = true;
  for (scratchRegion : 0 .. R - 1) {
#ifdef CHECK_SETTLED
    if
    :: applied[AT(scratchRegion, ORIGIN(id))] < SEQ(id) -> scratchOk = false
    :: else -> skip
    fi
#else
    if
    :: scratchRegion == ORIGIN(id) && applied[AT(scratchRegion, ORIGIN(id))] < SEQ(id) -> scratchOk = false
    :: else -> skip
    fi
#endif
  }
  if
  :: scratchOk ->
    for (scratchQ : 0 .. R - 1) {
      BASIS(id, scratchQ) = U
    }
  :: else -> skip
  fi
}

/* ready() + advance() for the oldest pending entry: it goes to disk and becomes visible. */
inline advance(r) {
  scratchId = pending[r * ENTRIES];
  for (scratchIndex : 1 .. pendingEntries[r] - 1) {
    pending[r * ENTRIES + scratchIndex - 1] = pending[r * ENTRIES + scratchIndex]
  }
  pendingEntries[r]--;
  pending[r * ENTRIES + pendingEntries[r]] = 0;
  /* S1 for readers: what becomes visible has its causal past visible. */
  assert(applied[AT(r, ORIGIN(scratchId))] == SEQ(scratchId) - 1);
  for (scratchQ : 0 .. R - 1) {
    assert(applied[AT(r, scratchQ)] >= DEP(scratchId, scratchQ))
  }
  applied[AT(r, ORIGIN(scratchId))] = SEQ(scratchId);
  forgetBasis(scratchId);
  updateStableAndTrim(r)
}

/* drainBuffer: accept what became deliverable, drop what is now below accepted. */
inline drainBuffer(r) {
  scratchProgress = true;
  do
  :: scratchProgress && buffer[r] != 0 ->
    scratchProgress = false;
    for (scratchCandidate : 0 .. ENTRIES - 1) {
      if
      :: (buffer[r] & BIT(scratchCandidate)) != 0 ->
        if
        :: SEQ(scratchCandidate) <= accepted[AT(r, ORIGIN(scratchCandidate))] ->
          buffer[r] = buffer[r] & ~BIT(scratchCandidate);
          bufferEntries[r]--
        :: else ->
          deliverable(r, scratchCandidate);
          if
          :: scratchOk ->
            buffer[r] = buffer[r] & ~BIT(scratchCandidate);
            bufferEntries[r]--;
            accept(r, scratchCandidate);
            scratchProgress = true
          :: else -> skip
          fi
        fi
      :: else -> skip
      fi
    }
  :: else -> break
  od
}

/* step(frame) for one entry: validate, drop a duplicate, accept, buffer or drop when full. */
inline receiveEntry(from, to, id) {
  /* validate(): no entry of this region it never made (an honest frame is never rejected) */
  assert(ORIGIN(id) != to || SEQ(id) <= accepted[AT(to, to)]);
  if
  :: SEQ(id) <= accepted[AT(to, ORIGIN(id))] || (buffer[to] & BIT(id)) != 0 -> skip
  :: else ->
    deliverable(to, id);
    if
    :: scratchOk -> accept(to, id)
    :: else ->
      if
      :: bufferEntries[to] < BUFFER_ENTRIES_MAX ->
        buffer[to] = buffer[to] | BIT(id);
        bufferEntries[to]++;
        assert(bufferEntries[to] <= BUFFER_ENTRIES_MAX)
      :: else -> skip /* droppedEntries: the sender's go-back-N sends it again */
      fi
    fi
  fi;
  drainBuffer(to)
}

/*
 * header() then step(frame) for a header alone: a heartbeat carrying `from`'s applied and
 * stable vectors reaches `to`, which validates it, marks `from` heard from, joins known and
 * stable, then trims. The header is taken when it is delivered: a header delivered late is one
 * that was sent late, and a lost one only leaves the next heartbeat to carry the same news.
 */
inline deliverHeader(from, to) {
  for (scratchOrigin : 0 .. R - 1) {
    scratchMeet = ACKNOWLEDGED[AT(from, scratchOrigin)];
    /*
     * validate(): acknowledged <= applied, stable <= acknowledged of the sender, and stable <= this
     * region's acknowledgement
     */
    assert(HELD(from, scratchOrigin) <= scratchMeet);
    assert(stable[AT(from, scratchOrigin)] <= HELD(from, scratchOrigin));
    assert(stable[AT(from, scratchOrigin)] <= HELD(to, scratchOrigin));
    known[PAIR(to, from, scratchOrigin)] = MAX(known[PAIR(to, from, scratchOrigin)], scratchMeet);
    acked[PAIR(to, from, scratchOrigin)] =
        MAX(acked[PAIR(to, from, scratchOrigin)], HELD(from, scratchOrigin));
    /* only max(known, sent) matters: keep sent >= known so equal states look equal */
    sent[PAIR(to, from, scratchOrigin)] = HAVE(to, from, scratchOrigin);
    if
    :: stable[AT(from, scratchOrigin)] > stable[AT(to, scratchOrigin)] ->
      stable[AT(to, scratchOrigin)] = stable[AT(from, scratchOrigin)]
    :: else -> skip
    fi
  }
  heard[AT(to, from)] = true;
  updateStableAndTrim(to)
}

/*
 * INSTANT_LINKS (for R = 3, whose state space is too large otherwise): an entry is taken by the
 * peer as it is sent, or lost; links still differ in speed, so entries of different senders
 * still arrive in any order, but one link no longer reorders or duplicates by itself (R = 2 checks
 * that). Otherwise the entry joins the link's bag.
 */
#ifdef INSTANT_LINKS
#define DISPATCH(from, to, id) receiveEntry(from, to, id); PERSIST_ALL(to)
#else
#define DISPATCH(from, to, id) bag[AT(from, to)] = bag[AT(from, to)] | BIT(id)
#endif

/* sendEntryFrames for one entry: it goes to the link and `sent` covers it. */
inline sendEntry(from, to, o) {
  scratchSeq = NEXT(from, to, o);
  for (scratchOrigin : 0 .. R - 1) {
    sent[PAIR(from, to, scratchOrigin)] = HAVE(from, to, scratchOrigin)
  }
  sent[PAIR(from, to, o)] = scratchSeq;
  assert(IN_FLIGHT(from, to) <= IN_FLIGHT_ENTRIES_MAX);
#if defined(CUT_LINK)
  if
  :: CUT(from, to) -> skip
  :: else -> DISPATCH(from, to, ID(o, scratchSeq))
  fi
#else
  DISPATCH(from, to, ID(o, scratchSeq))
#endif
}

/* sendEntries: after resendIntervalTicks without progress, sent goes back to known. */
inline resend(from, to) {
  for (scratchOrigin : 0 .. R - 1) {
    sent[PAIR(from, to, scratchOrigin)] = known[PAIR(from, to, scratchOrigin)]
  }
}

/*
 * A crash and ReplicaCore.restore: only applied (the log records and the checkpoint) and the
 * log itself survive; the driver deletes log records only at or below trimmed, so the rebuilt
 * log and trimmed vector are those before the crash. Accepted but unpersisted entries, the
 * buffer, what peers acknowledged, what was sent and the stable vector are memory, and are
 * gone. Peers hear from the region again (their heartbeats, and its own, are due).
 */
inline crash(r) {
  for (scratchOrigin : 0 .. R - 1) {
    accepted[AT(r, scratchOrigin)] = applied[AT(r, scratchOrigin)];
    stable[AT(r, scratchOrigin)] = 0
  }
  for (scratchSeq : applied[AT(r, r)] + 1 .. U) {
    for (scratchQ : 0 .. R - 1) {
      DEP(ID(r, scratchSeq), scratchQ) = 0;
      BASIS(ID(r, scratchSeq), scratchQ) = 0
    }
  }
  for (scratchIndex : 0 .. ENTRIES - 1) {
    pending[r * ENTRIES + scratchIndex] = 0
  }
  pendingEntries[r] = 0;
  buffer[r] = 0;
  bufferEntries[r] = 0;
  for (scratchPeer : 0 .. R - 1) {
    heard[AT(r, scratchPeer)] = false;
    relayDue[AT(r, scratchPeer)] = false;
    for (scratchOrigin : 0 .. R - 1) {
      known[PAIR(r, scratchPeer, scratchOrigin)] = 0;
      acked[PAIR(r, scratchPeer, scratchOrigin)] = 0;
      sent[PAIR(r, scratchPeer, scratchOrigin)] = 0
    }
  }
}

proctype Region(byte r) {
end:
  do
  :: d_step { accepted[AT(r, r)] < U -> appendLocal(r); PERSIST_ALL(r); skip }
  :: d_step { pendingEntries[r] > 0 -> advance(r); skip }
  od
}

/* Delivery, duplication and loss of entry id on the link, when the model has that entry. */
#define ENTRY_IN_FLIGHT(id) ((bag[AT(from, to)] & BIT(id)) != 0)
#define DELIVERY(id) \
  :: d_step { ENTRY_IN_FLIGHT(id) -> \
      bag[AT(from, to)] = bag[AT(from, to)] & ~BIT(id); receiveEntry(from, to, id); PERSIST_ALL(to); skip } \
  :: d_step { ENTRY_IN_FLIGHT(id) && duplicatesLeft > 0 -> \
      duplicatesLeft--; receiveEntry(from, to, id); PERSIST_ALL(to); skip } \
  :: d_step { ENTRY_IN_FLIGHT(id) && lossesLeft > 0 -> \
      lossesLeft--; bag[AT(from, to)] = bag[AT(from, to)] & ~BIT(id) }

proctype Link(byte from; byte to) {
end:
  do
#ifndef HEARTBEATS_ON_TIMER
  :: d_step { HEADER_NEWS(from, to) && !CUT(from, to) -> deliverHeader(from, to); skip }
#else
  :: d_step { HEADER_NEWS(from, to) && earlyTimersLeft > 0 && !(CUT(from, to)) ->
      earlyTimersLeft--; deliverHeader(from, to); skip }
#endif
  :: d_step { CAN_SEND(from, to, 0) && (0 == from || relayDue[AT(from, to)]) -> sendEntry(from, to, 0); skip }
  :: d_step { CAN_SEND(from, to, 1) && (1 == from || relayDue[AT(from, to)]) -> sendEntry(from, to, 1); skip }
#if R == 3
  :: d_step { CAN_SEND(from, to, 2) && (2 == from || relayDue[AT(from, to)]) -> sendEntry(from, to, 2); skip }
#endif
#ifdef INSTANT_LINKS
  :: d_step { CAN_SEND(from, to, 0) && (0 == from || relayDue[AT(from, to)]) && lossesLeft > 0 -> lossesLeft--; sent[PAIR(from, to, 0)] = NEXT(from, to, 0) }
  :: d_step { CAN_SEND(from, to, 1) && (1 == from || relayDue[AT(from, to)]) && lossesLeft > 0 -> lossesLeft--; sent[PAIR(from, to, 1)] = NEXT(from, to, 1) }
#if R == 3
  :: d_step { CAN_SEND(from, to, 2) && (2 == from || relayDue[AT(from, to)]) && lossesLeft > 0 -> lossesLeft--; sent[PAIR(from, to, 2)] = NEXT(from, to, 2) }
#endif
#endif
#ifndef MUTANT_NO_RESEND
  :: d_step { earlyTimersLeft > 0 && IN_FLIGHT(from, to) > 0 -> earlyTimersLeft--; resend(from, to); skip }
#endif
  :: d_step { earlyTimersLeft > 0 && !relayDue[AT(from, to)] -> earlyTimersLeft--; relayDue[AT(from, to)] = true }
  DELIVERY(0)
  DELIVERY(1)
#if ENTRIES > 2
  DELIVERY(2)
#endif
#if ENTRIES > 3
  DELIVERY(3)
#endif
#if ENTRIES > 4
  DELIVERY(4)
#endif
#if ENTRIES > 5
  DELIVERY(5)
#endif
#if ENTRIES > 6
  DELIVERY(6)
#endif
#if ENTRIES > 7
  DELIVERY(7)
#endif
#if ENTRIES > 8
  DELIVERY(8)
#endif
  od
}

/*
 * Time: ticks matter only when nothing else can happen (spin's timeout), and then every timer is
 * due at once, which is what makes the model fair to each of them: sendEntries resends from the
 * acknowledgement on every link with entries in flight (resendIntervalTicks without progress),
 * relayTooEarly() turns false (relayDelayTicks passed; kept from then on), and, with
 * HEARTBEATS_ON_TIMER (used for R = 3), each header with news goes out. A timer may also fire
 * early, up to EARLY_TIMERS_MAX times in a run (the options in Link).
 */
inline tick() {
  for (tickFrom : 0 .. R - 1) {
    for (tickTo : 0 .. R - 1) {
      if
      :: tickFrom != tickTo ->
        relayDue[AT(tickFrom, tickTo)] = true;
#ifndef MUTANT_NO_RESEND
        if
        :: IN_FLIGHT(tickFrom, tickTo) > 0 -> resend(tickFrom, tickTo)
        :: else -> skip
        fi;
#endif
#ifdef HEARTBEATS_ON_TIMER
        if
        :: HEADER_NEWS(tickFrom, tickTo) && !CUT(tickFrom, tickTo) ->
          deliverHeader(tickFrom, tickTo)
        :: else -> skip
        fi
#else
        skip
#endif
      :: else -> skip
      fi
    }
  }
}

proctype Clock() {
end:
  do
  :: d_step { timeout -> tick(); skip }
  od
}

proctype Faults() {
end:
  do
  :: d_step { crashesLeft > 0 -> crashesLeft--; crash(0); skip }
  :: d_step { crashesLeft > 0 -> crashesLeft--; crash(1); skip }
#if R == 3
  :: d_step { crashesLeft > 0 -> crashesLeft--; crash(2); skip }
#endif
  :: crashesLeft > 0 -> crashesLeft = 0 /* no (more) crashes in this run */
  od
}

init {
  atomic {
    /* The regions start connected: each has heard from every other (a restart forgets it). */
    for (scratchRegion : 0 .. R * R - 1) {
      heard[scratchRegion] = true
    }
#ifdef CUT_LINK
    heard[AT(0, 1)] = false; /* regions 0 and 1 never hear from each other */
    heard[AT(1, 0)] = false;
#endif
    run Faults();
    run Clock();
    for (scratchRegion : 0 .. R - 1) {
      run Region(scratchRegion);
      for (scratchPeer : 0 .. R - 1) {
        if
        :: scratchRegion != scratchPeer -> run Link(scratchRegion, scratchPeer)
        :: else -> skip
        fi
      }
    }
  }
}
