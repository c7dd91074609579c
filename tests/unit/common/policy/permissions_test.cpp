#include "common/policy/permissions.hpp"

#include <gtest/gtest.h>

namespace psm::policy {
namespace {

using model::Role;

TEST(Permissions, RoleInTheRow_MayWhateverTheRelation) {
  EXPECT_FALSE(refusal(Act::add_action, Role::iro));
  EXPECT_FALSE(refusal(Act::request_meeting, Role::foster_carer));
  EXPECT_FALSE(refusal(Act::decide_panel_request, Role::panel_member));
}

TEST(Permissions, Refusal_NamesTheActorsRoleWhereTheMessageDoes) {
  EXPECT_EQ(refusal(Act::request_meeting, Role::iro),
            "a iro cannot request a meeting: a foster carer, the child's social worker or the supervising social "
            "worker asks for it");
  EXPECT_EQ(refusal(Act::add_action, Role::foster_carer),
            "actions are agreed and recorded by the professionals at the meeting");
}

TEST(Permissions, Relation_AllowsOnlyRowsThatHaveOne) {
  // The action's owner may move their own action, whatever their role.
  EXPECT_FALSE(refusal(Act::update_action_status, Role::foster_carer, /*related=*/true));
  EXPECT_TRUE(refusal(Act::update_action_status, Role::foster_carer, /*related=*/false));
  // R6: finalising is by relation only: no role may, outright.
  EXPECT_TRUE(refusal(Act::finalise_minutes, Role::admin, false));
  EXPECT_FALSE(refusal(Act::finalise_minutes, Role::foster_carer, true));
  // A row without a relation ignores `related`.
  EXPECT_TRUE(refusal(Act::edit_action, Role::foster_carer, true));
}

TEST(Permissions, PermanenceMatch_IsRefusedToCarersAndMinuteTakers) {
  EXPECT_TRUE(refusal(Act::mark_permanence_match, Role::foster_carer));
  EXPECT_TRUE(refusal(Act::mark_permanence_match, Role::minute_taker));
  EXPECT_FALSE(refusal(Act::mark_permanence_match, Role::child_social_worker));
}

TEST(Permissions, Table_HasARowPerActInOrder) {
  const auto rows = permissions();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(Act::record_csw_report) + 1);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(rows[i].act), i);
}

}  // namespace
}  // namespace psm::policy
