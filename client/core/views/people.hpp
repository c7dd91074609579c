// People by name. The one resolver both front ends use wherever a person is
// named (an action's owner, a minute taker, an invitee, the two deciders of
// not inviting the child) and where an invitation is named by its person
// within a meeting; and the words for a role.
//
// Reads the replica only; same thread rules as Replica.
#pragma once

#include "client/core/intents/intents.hpp"
#include "client/replica/replica.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace psm::client::views {

// A role's spelling (`supervising-social-worker`) in words ("supervising
// social worker"; "IRO", "LADO", "CLA team manager"); unknown spellings as given.
std::string role_words(std::string_view role_spelling);

// Something a person can be told apart by: its name, and a few words of
// detail (role and team, an organisation) for listing candidates.
struct Candidate {
  std::string id;
  std::string name;
  std::string detail;
};

// The candidates `text` names: those whose whole name is `text` (ignoring
// case) if any, else those whose name contains it. Empty `text`: none.
std::vector<Candidate> matching(const std::vector<Candidate>& all, std::string_view text);

// A record's id, or why `text` names no one (kExitUsage) — listing the
// candidates when it could be more than one person.
using Resolved = std::variant<std::string, intents::InvalidRequest>;

// The person `text` names on this device: a person's id as it is, else a
// name matched as matching() does. "" stays "" (the rules say what is missing).
// `option` is how the request named the field, e.g. "--owner".
Resolved resolve_person(Replica& r, std::string_view option, const std::string& text);

// The invitation to `meeting_id` that `text` names: an invitation's id, or the
// invitee's name (a person's, or the name an invitation by name was given).
// A meeting this person cannot see: kExitRefused.
Resolved resolve_invitation(Replica& r, const std::string& meeting_id, const std::string& text);

// The people on this device, each as a Candidate (detail: role in words, team, service).
std::vector<Candidate> people_candidates(Replica& r);

}  // namespace psm::client::views
