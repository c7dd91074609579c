#include "common/policy/agenda.hpp"

#include <array>

namespace psm::policy {
namespace {

// Both seeds' support meeting agendas, merged: the first policy's suggested
// agenda (3.4) and the second's required items, in meeting order.
constexpr std::array kSupport{
    AgendaItem{"purpose", "Introduction and purpose of the meeting"},
    AgendaItem{"background", "General and family background; reasons for being looked after"},
    AgendaItem{"needs-and-care-plan", "Assessment of needs and the care plan"},
    AgendaItem{"placement-history", "Placement history and history of the current placement"},
    AgendaItem{"presenting-problems", "Presenting problems and triggers"},
    AgendaItem{"child-views", "The child's views (gathered in advance if they are not attending)"},
    AgendaItem{"professional-views",
               "Views of the CSW, SSW, IRO and other professionals, including health and education"},
    AgendaItem{"cultural-identity", "Whether the child's cultural and identity needs are being met in placement"},
    AgendaItem{"pep-cla-review", "Outcomes of the recent (termly) PEP and CLA review"},
    AgendaItem{"camhs-adash", "Consideration of a referral to CAMHS / ADASH for consultation"},
    AgendaItem{"undermining-factors", "Events or factors which may undermine stability"},
    AgendaItem{"support-to-date", "What has been done to date to support the placement"},
    AgendaItem{"direct-support", "Direct support for the carers and child from the carer support offer"},
    AgendaItem{"respite", "Respite and/or day care for the child"},
    AgendaItem{"practical-support", "Practical support for the carers (cleaning, transport)"},
    AgendaItem{"carer-support", "Support from within fostering: buddies, peer support, support groups"},
    AgendaItem{"carer-training", "Additional training needs of the carers"},
    AgendaItem{"panel-referral", "Referral to the Practice and Resources Panel"},
    AgendaItem{"support-needs", "The support needs of the placement and what can be done"},
    AgendaItem{"review-date", "Date of the review meeting"},
};

// A pre-disruption meeting has a similar agenda, plus planning an ending well
// when breakdown is inevitable (first policy, section 5).
constexpr std::array kPreDisruption{
    AgendaItem{"purpose", "Introduction and purpose of the meeting"},
    AgendaItem{"presenting-problems", "Why the placement is at or close to breakdown"},
    AgendaItem{"child-views", "The child's views"},
    AgendaItem{"professional-views", "Views of the CSW, SSW, IRO and other professionals"},
    AgendaItem{"support-to-date", "What the placement support process has done so far"},
    AgendaItem{"prevent-breakdown", "What can still be done to prevent breakdown"},
    AgendaItem{"planned-ending", "If an ending is inevitable: planning it to limit the impact on the child"},
    AgendaItem{"future-contact", "Future contact between the child and the carers"},
    AgendaItem{"transition-support", "Whether the carers will support the move"},
    AgendaItem{"lessons", "Lessons for the End of Placement Review"},
    AgendaItem{"review-date", "Date of the review"},
};

constexpr std::array kPlacementPlanning{
    AgendaItem{"purpose", "Introduction and purpose of the meeting"},
    AgendaItem{"child-needs", "The child's current and future support needs"},
    AgendaItem{"carer-needs", "The carers' support needs, including training"},
    AgendaItem{"delegated-authority", "Delegated authority"},
    AgendaItem{"review-date", "Date of the review"},
};

}  // namespace

std::span<const AgendaItem> agenda_for(model::MeetingType type) {
  switch (type) {
    case model::MeetingType::support:
      return kSupport;
    case model::MeetingType::pre_disruption:
      return kPreDisruption;
    case model::MeetingType::placement_planning:
      return kPlacementPlanning;
  }
  return {};
}

const AgendaItem* find_agenda_item(model::MeetingType type, std::string_view key) {
  for (const auto& item : agenda_for(type)) {
    if (item.key == key) return &item;
  }
  return nullptr;
}

}  // namespace psm::policy
