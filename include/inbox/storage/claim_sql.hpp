#pragma once
// When a claimed row (webhook event, job) may be claimed again, as one SQL condition shared by their claim
// statements. `claimer`, `until`: the row's claimed_by and locked_until columns; `me`: the claiming instance's
// liveness key (storage/claimer_liveness.hpp, migration 0005); `given_up`: an SQL condition naming this instance's own
// claims that it stopped working on without recording their outcome (Postgres was away), so they need not wait out
// their lease. A row is takeable when:
//   - nobody claims it (pending, or claimed before migration 0005);
//   - this instance claimed it and the claim ended, or it gave up on it: its outcome could not be recorded;
//   - another instance claimed it and that one is dead (its liveness lock is gone): at once, whatever the lease;
//   - another instance claimed it and still holds it 10 minutes after its end: alive, but hanging.
// A live claimer keeps its claims however slow it is.
#define INBOX_CLAIM_TAKEABLE(claimer, until, me, given_up)                                                     \
    "(" claimer " IS NULL"                                                                                     \
    " OR (" claimer " = " me " AND (" until " < now() OR " given_up "))"                                      \
    " OR (" claimer " <> " me " AND (NOT claimer_alive(" claimer ")"                                          \
    "     OR " until " < now() - interval '10 minutes')))"
