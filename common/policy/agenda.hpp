// R7: each meeting type carries its agenda from the seeds as a template. For a
// Placement Support Meeting it is the union of both policies' items.
#pragma once

#include "common/model/domain.hpp"

#include <span>
#include <string_view>

namespace psm::policy {

struct AgendaItem {
  std::string_view key;    // stable spelling used on the wire and the CLI
  std::string_view title;  // the words of the policy
};

std::span<const AgendaItem> agenda_for(model::MeetingType type);
const AgendaItem* find_agenda_item(model::MeetingType type, std::string_view key);

}  // namespace psm::policy
