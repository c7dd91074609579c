// Schema migrations keyed on PRAGMA user_version.
#pragma once

#include "common/store/database.hpp"

#include <span>
#include <string_view>

namespace psm::store {

// Brings the schema up to date. steps[i] (0-based) is the SQL that moves
// user_version from i to i+1; each missing step runs in its own IMMEDIATE
// transaction together with the user_version bump, so a crash leaves the
// database at a whole version. Already-applied steps are skipped, so calling
// this on every open is cheap and safe, also from two processes at once.
// Steps must never be edited once released: append new ones.
//
// Throws StoreError: Errc::unsupported_version when the database's
// user_version is higher than steps.size() (written by a newer psm, which
// this build must not touch), or any error from running a step (that step is
// rolled back; earlier steps stay applied).
void migrate(Database& db, std::span<const std::string_view> steps);

}  // namespace psm::store
