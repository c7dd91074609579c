#include "client/core/views/people.hpp"

#include "client/core/views/format.hpp"

#include <algorithm>
#include <cctype>

namespace psm::client::views {

namespace col = model::collection;
namespace schema = model::schema;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Leading and trailing spaces dropped, inner runs of spaces made one: a name
// typed "Mrs  J. Smith " is still Mrs J. Smith.
std::string tidy(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string listed(const std::vector<Candidate>& candidates) {
  std::string out;
  for (const auto& c : candidates) {
    if (!out.empty()) out += "; ";
    out += c.name + (c.detail.empty() ? "" : " (" + c.detail + ")");
  }
  return out;
}

// The last word of what was typed, to search for: "Mr R. Okafor" → "Okafor".
std::string search_hint(const std::string& text) {
  const auto t = tidy(text);
  const auto space = t.rfind(' ');
  return space == std::string::npos ? t : t.substr(space + 1);
}

// The one candidate `text` names, or why not; `not_found` is what to say when none matches.
Resolved pick(const std::vector<Candidate>& all, std::string_view option, const std::string& text,
              const std::string& not_found) {
  const auto found = matching(all, text);
  if (found.size() == 1) return found.front().id;
  if (found.empty()) return intents::InvalidRequest{kExitUsage, not_found};
  return intents::InvalidRequest{kExitUsage, std::string(option) + " \"" + tidy(text) + "\" could be any of " +
                                                 std::to_string(found.size()) + ": " + listed(found) +
                                                 ". Give the whole name as psm people lists it, or the id it shows"};
}

}  // namespace

std::string role_words(std::string_view role_spelling) {
  if (role_spelling == "iro") return "IRO";
  if (role_spelling == "lado") return "LADO";
  if (role_spelling == "cla-team-manager") return "CLA team manager";
  std::string out(role_spelling);
  std::replace(out.begin(), out.end(), '-', ' ');
  return out;
}

std::vector<Candidate> matching(const std::vector<Candidate>& all, std::string_view text) {
  const auto wanted = lower(tidy(text));
  std::vector<Candidate> whole, part;
  if (wanted.empty()) return whole;
  for (const auto& c : all) {
    const auto name = lower(tidy(c.name));
    if (name == wanted) {
      whole.push_back(c);
    } else if (name.find(wanted) != std::string::npos) {
      part.push_back(c);
    }
  }
  return whole.empty() ? part : whole;
}

std::vector<Candidate> people_candidates(Replica& r) {
  std::vector<Candidate> out;
  namespace f = schema::people;
  for (const auto& p : r.list(col::kPeople)) {
    std::string detail = role_words(p.spelling(f::role));
    for (const auto& more : {p.value(f::team), p.value(f::service)}) {
      if (!more.empty()) detail += ", " + more;
    }
    out.push_back({p.id, p.value(f::name), detail});
  }
  return out;
}

Resolved resolve_person(Replica& r, std::string_view option, const std::string& text) {
  if (text.empty() || r.get(col::kPeople, text)) return text;
  return pick(people_candidates(r), option, text,
              "no one called \"" + tidy(text) + "\" is known on this device (given for " + std::string(option) +
                  "); to look someone up: psm people --search " + search_hint(text));
}

Resolved resolve_invitation(Replica& r, const std::string& meeting_id, const std::string& text) {
  auto meeting = r.get(col::kMeetings, meeting_id);
  if (!meeting) return intents::InvalidRequest{kExitRefused, "no meeting " + meeting_id + " that you can see"};
  namespace f = schema::invitations;
  std::vector<Candidate> invited;
  for (const auto& inv : r.list_in_scope(col::kInvitations, meeting->scope)) {
    if (inv.value(f::meeting_id) != meeting_id) continue;
    if (inv.id == text) return inv.id;
    const auto& person = inv.value(f::person_id);
    std::string detail = inv.value(f::organisation);
    if (detail.empty()) detail = inv.spelling(f::kind);
    invited.push_back({inv.id, person.empty() ? inv.value(f::name) : name_of(r, person), detail});
  }
  return pick(invited, "the person", text,
              "no one called \"" + tidy(text) + "\" is invited to this meeting; those invited: " +
                  (invited.empty() ? std::string("no one yet") : listed(invited)));
}

}  // namespace psm::client::views
