// End to end: people named by name where the CLI takes a person (an action's
// owner, a minute taker, an invitee within a meeting), `psm people` to look
// someone up, and the usage errors (exit 2) for an unknown person or a date
// psm cannot read. Real psm-server and psm processes.
#include "support/e2e_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace psm::e2e {
namespace {

class PeopleByName : public EndToEnd {
 protected:
  // A support meeting requested by Alex (SSW), synced; its id.
  std::string requested_meeting() {
    EXPECT_EQ(psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                           "Placement under strain"})
                  .exit_code,
              0);
    return std::string(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  }
};

TEST_F(PeopleByName, People_LooksSomeoneUpByPartOfTheName_WithRoleInWords) {
  enrol("alex");
  const auto found = json_of("alex", {"people", "--search", "okafor"}).as_array();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("name").as_string(), "Jo Okafor");
  EXPECT_EQ(found[0].at("role").as_string(), "foster-carer");
  const auto text = psm("alex", {"people", "--role", "service-manager"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Dana Price  service manager, fostering"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("Jo Okafor"), std::string::npos) << text.out;
  EXPECT_EQ(psm("alex", {"people", "--role", "wizard"}).exit_code, 2);
}

TEST_F(PeopleByName, AddAction_OwnerByName_IsThatPerson_UnknownOrAmbiguousExitTwoSayingWhy) {
  enrol("alex");
  const auto meeting = requested_meeting();
  auto added = psm("alex", {"add-action", "--meeting", meeting, "--owner", "jo okafor", "--due", "2027-01-15", "--text",
                            "Arrange respite"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const auto actions = json_of("alex", {"actions"}).as_array();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].at("owner_id").as_string(), "carer-okafor");
  EXPECT_EQ(actions[0].at("owner").as_string(), "Jo Okafor");

  auto unknown = psm("alex", {"add-action", "--meeting", meeting, "--owner", "Mr R. Okafor", "--due", "2027-01-15",
                              "--text", "Call school"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no one called \"Mr R. Okafor\" is known"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("psm people --search Okafor"), std::string::npos) << unknown.err;
  EXPECT_EQ(unknown.err.find("needs an owner"), std::string::npos) << unknown.err;

  auto ambiguous =
      psm("alex", {"add-action", "--meeting", meeting, "--owner", "Sa", "--due", "2027-01-15", "--text", "Call"});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.err.find("Sam Reid (foster carer)"), std::string::npos) << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("Sasha Grant (panel member)"), std::string::npos) << ambiguous.err;

  auto bad_date = psm("alex", {"add-action", "--meeting", meeting, "--owner", "Jo Okafor", "--due", "15/01/2027",
                               "--text", "Call school"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_NE(bad_date.err.find("--due must be a date written YYYY-MM-DD"), std::string::npos) << bad_date.err;
  EXPECT_EQ(json_of("alex", {"actions"}).as_array().size(), 1u) << "nothing stored for the refused ones";
}

TEST_F(PeopleByName, RecordAttendance_ByTheInviteesNameWithinTheMeeting_InvitationIdFormStillWorks) {
  enrol("alex");
  const auto meeting = requested_meeting();
  auto scheduled = psm("alex", {"schedule-meeting", meeting, "--at", "2026-11-30T10:00", "--location", "Family centre",
                                "--minute-taker", "Alex Morgan"});
  ASSERT_EQ(scheduled.exit_code, 0) << scheduled.err;
  ASSERT_EQ(psm("alex", {"record-held", meeting, "--at", "2026-11-30 10:05"}).exit_code, 0);
  auto by_name = psm("alex", {"record-attendance", meeting, "Jo Okafor", "apologies"});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  auto unknown = psm("alex", {"record-attendance", meeting, "Mrs Q. Nobody", "attended"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("Jo Okafor"), std::string::npos) << "lists those invited: " << unknown.err;

  const auto shown = json_of("alex", {"meeting", meeting}).as_object();
  EXPECT_EQ(shown.at("minute_taker").as_string(), "Alex Morgan");
  std::string other;
  for (const auto& inv : shown.at("invitations").as_array()) {
    if (inv.at("who").as_string() == "Jo Okafor") {
      EXPECT_EQ(inv.at("attendance").as_string(), "apologies");
    }
    if (inv.at("who").as_string() != "Jo Okafor" && other.empty()) other = inv.at("id").as_string();
  }
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(psm("alex", {"record-attendance", other, "--status", "attended"}).exit_code, 0);
}

}  // namespace
}  // namespace psm::e2e
