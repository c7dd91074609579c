// "This database file is exactly as a clean close left it", without reading it.
//
// A page-by-page integrity check (PRAGMA quick_check, which with SQLCipher also
// checks every page's MAC) reads and decrypts the whole file. A program may
// skip it when nothing has touched the file since the last connection closed
// cleanly: that close folded the write-ahead log into the file and recorded
// the file's device, inode, size and modification and change times (to the
// nanosecond) in a small marker file. Anything that writes to the database
// file afterwards, including a person overwriting bytes in it, changes its
// times, so the marker no longer matches.
//
// Protocol: call unchanged_since_clean_close() before opening, then
// forget_clean_close() before anything can write (so a crash while open means
// a full check next time); call record_clean_close() after closing the last
// connection. The marker holds no personal data.
//
// Thread-safety: free functions over the filesystem; no state.
#pragma once

#include <filesystem>
#include <string>

namespace psm::store {

// What identifies the file's current contents, or "" when there is no file.
std::string file_state(const std::filesystem::path& db);

// True when `marker` records the current state of `db` and there is no
// write-ahead log beside it (a non-empty -wal means a connection is open, or
// one did not close cleanly).
bool unchanged_since_clean_close(const std::filesystem::path& db, const std::filesystem::path& marker);

// Removes the marker (errors ignored: a missing marker is the point).
void forget_clean_close(const std::filesystem::path& marker);

// After the last connection to `db` closed: writes the marker (mode 0600) when
// no write-ahead log is left; otherwise another connection is still open and
// records it when it closes. Failures are ignored: the next open then checks.
void record_clean_close(const std::filesystem::path& db, const std::filesystem::path& marker);

}  // namespace psm::store
