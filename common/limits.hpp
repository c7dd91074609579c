// Every limit and timeout in one place, each with the reason for its value.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace psm::limits {

// Largest WebSocket message either side accepts. A push batch of
// kMaxOpsPerPush operations of ~500 bytes is ~100 KiB; a pull batch of
// kMaxRecordsPerPull records of ~1 KiB is ~1 MiB. 4 MiB leaves room for long
// minutes text while bounding what a hostile peer can make us buffer.
inline constexpr std::size_t kMaxMessageBytes = 4 * 1024 * 1024;

// Operations in one push message: large enough to amortise a transaction
// (one fsync per batch), small enough that a batch commits in well under a second.
inline constexpr std::size_t kMaxOpsPerPush = 500;

// Records in one pull batch: ~1 MiB at typical record sizes, so a slow 4G link
// still makes visible progress per batch.
inline constexpr std::size_t kMaxRecordsPerPull = 1000;

// Free text a person types (a child's views, minutes). Minutes of a long
// meeting fit in 64 KiB; anything larger is not typed by a person.
inline constexpr std::size_t kMaxTextBytes = 64 * 1024;

// Short strings: names, usernames, identifiers, enum spellings.
inline constexpr std::size_t kMaxShortStringBytes = 256;

// Fields in one record; our widest entity has ~20.
inline constexpr std::size_t kMaxFieldsPerRecord = 64;

// Minimum password length for server accounts (NCSC guidance: length over
// complexity rules).
inline constexpr std::size_t kMinPasswordLength = 10;

// --- Sign-in under attack (docs/security.md, "Sign-in under attack").
// scrypt (~0.1-0.3 s a check) runs on its own pool so it never delays a sync:
// one thread, because checks are what an attacker can multiply and the store
// thread must keep a core; 32 waiting checks is ~10 s of work, beyond which a
// password sign-in is answered "busy, try again shortly" at once.
inline constexpr std::size_t kPasswordCheckThreads = 1;
inline constexpr std::size_t kMaxQueuedPasswordChecks = 32;
// Checks in flight from one address: an office signing in together needs a
// few; more would let one address fill the queue for everyone.
inline constexpr std::size_t kMaxPasswordChecksPerAddress = 4;
// How soon to try a password sign-in again after "busy".
inline constexpr std::chrono::milliseconds kPasswordCheckBusyRetry{2000};
// Refused sign-ins written to the audit trail in full: the first few from an
// address in each minute, and at most this many in all per minute; the rest
// are counted and written as one entry per address per minute (at most
// kRefusalSummariesPerMinute, then one entry for all other addresses), so a
// flood adds a bounded number of entries.
inline constexpr std::size_t kRefusalsAuditedPerAddressPerMinute = 3;
inline constexpr std::size_t kRefusalsAuditedPerMinute = 100;
inline constexpr std::size_t kRefusalSummariesPerMinute = 20;
// After a token is renewed, the one it replaced keeps working this long after
// the new one is first used, so a second connection of the same device that
// set out with the old token (sent before the renewal was stored) is not
// refused; about one request timeout.
inline constexpr std::chrono::milliseconds kTokenRotationGrace{std::chrono::seconds(60)};
// How often a serving psm-server looks for devices revoked by another process
// (psm-server device revoke) to close their live connections; requests also
// check before they are served.
inline constexpr std::chrono::milliseconds kRevocationCheckInterval{1000};

// How far ahead of the server's clock a device's HLC may be. A device clock a
// year fast must not win every write for a year: the server clamps incoming
// HLCs to its own clock plus this skew.
inline constexpr std::chrono::milliseconds kMaxClockSkew{std::chrono::minutes(5)};
// The rules read the time a person acted from their device's clock, which the
// server bounds (model::acted_at). Moving it by less than this is not worth
// telling anyone: no deadline or date a person sees changes by a minute.
inline constexpr std::chrono::milliseconds kActedAtTolerance{std::chrono::minutes(1)};

// Network timeouts on the client. A handshake on one bar of 4G takes a few
// seconds; 20 s distinguishes "slow" from "not there".
inline constexpr std::chrono::seconds kConnectTimeout{20};
inline constexpr std::chrono::seconds kRequestTimeout{60};

// A device that cannot reach its server retries with exponential backoff:
// the first retry comes after 0.25–0.5 s (a blip on a train's Wi-Fi is over
// quickly), each later wait doubles, and no wait exceeds 60 s, so a server
// coming back after an outage sees each device at most about once a minute.
// Half of each wait is random ("equal jitter"), so devices cut off together
// do not come back in step.
inline constexpr std::chrono::milliseconds kRetryFirstDelay{500};
inline constexpr std::chrono::milliseconds kRetryMaxDelay{60'000};

// Server side: the TLS handshake and HTTP request must complete within this
// (kSignInTimeout, shorter, closes a connection that has not signed in
// anyway); an idle signed-in connection is pinged by Beast's keep-alive.
inline constexpr std::chrono::seconds kHandshakeTimeout{30};

// Messages queued for one connection before it is considered too slow and
// closed (the device will reconnect and pull what it missed).
inline constexpr std::size_t kMaxQueuedMessagesPerConnection = 64;

// Largest message accepted before the peer has signed in. A LoginRequest or an
// AuthRequest is a few short strings (usernames and ids of at most
// kMaxShortStringBytes, a password, a 64-character token): well under 2 KiB.
// 16 KiB leaves room for long passwords and later fields while a stranger can
// no longer make the server read megabytes before proving who it is.
inline constexpr std::size_t kMaxMessageBytesBeforeSignIn = 16 * 1024;

// Time from TCP accept to a successful sign-in (TLS, HTTP upgrade, WebSocket
// handshake and the sign-in itself). A device on one bar of 4G does all of it
// in a few seconds; a connection that has not signed in by then is closed,
// even if it answers pings, so strangers cannot hold connections open.
inline constexpr std::chrono::seconds kSignInTimeout{10};

// Read-but-not-yet-handled messages. The transport stops reading from a
// connection (TCP backpressure does the rest; nothing is dropped) while it has
// kMaxMessagesInHandPerConnection messages or kMaxBytesInHandPerConnection
// bytes that its handler has not finished, or while the whole server has
// kMaxBytesInHandTotal. Each check comes before a read, so a connection may go
// over by the one message it was reading: a connection holds at most
// 4 × 16 KiB before sign-in and 4 MiB + one message after; the server at most
// the total plus one message per connection reading at the time.
// Four messages keep the store thread busy (the next request is already read
// when one finishes); 4 MiB is one largest message; 64 MiB is what a small
// server can hold for devices' pushes without swapping.
inline constexpr std::size_t kMaxMessagesInHandPerConnection = 4;
inline constexpr std::size_t kMaxBytesInHandPerConnection = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxBytesInHandTotal = 64 * 1024 * 1024;

// Connections before sign-in (from TCP accept to a successful sign-in). One
// address (an office's or a mobile network's shared address) may have
// kMaxConnectionsBeforeSignInPerAddress at once: dozens of people signing in
// within the same ten seconds. The whole server may have half of its
// connections (and at most kMaxConnectionsBeforeSignIn) before sign-in, so
// signed-in devices always have room; 1,024 strangers cost at most ~130 MiB
// (TLS state and 64 KiB of messages each).
inline constexpr std::size_t kMaxConnectionsBeforeSignInPerAddress = 32;
inline constexpr std::size_t kMaxConnectionsBeforeSignIn = 1024;

// Open files the server keeps for itself out of RLIMIT_NOFILE: the store and
// its WAL and journal, logs, certificates and keys being read, the metrics
// listener, backups taken while serving. The rest are connections.
inline constexpr std::size_t kFileDescriptorsReserved = 64;

// How often the server looks for overdue actions to escalate (R8). Escalation
// thresholds are whole working days, so minutes of delay do not matter; a
// short interval means a restart or a new day is noticed soon.
inline constexpr std::chrono::minutes kEscalationInterval{10};

}  // namespace psm::limits
