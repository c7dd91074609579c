// People by name: the resolver both front ends use wherever a person is named
// (views/people.hpp), and the `psm people` listing. Over a real replica holding
// the people a sync would bring.
#include "client/core/views/people.hpp"

#include "client/core/views/format.hpp"
#include "client/core/views/listings.hpp"
#include "testing/local_replica.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

namespace psm::client::views {
namespace {

namespace col = model::collection;

const model::Version kServer{model::Hlc::from(1, 0), "server"};

class PeopleTest : public ::testing::Test {
 protected:
  PeopleTest() {
    replica_ = psm::testing::local_replica(dir_.path, "ssw-1", "supervising-social-worker");
    std::vector<model::Record> records{
        person("ssw-1", "Mrs J. Smith", "supervising-social-worker", "Fostering North"),
        person("iro-1", "Mr P. Smith", "iro", ""),
        person("carer-okafor", "Mrs A. Okafor", "foster-carer", ""),
        person("csw-shah", "Ms R. Shah", "child-social-worker", "Family Safeguarding"),
    };
    model::Record p;
    p.collection = col::kPlacements;
    p.id = "p1";
    p.scope = "placement:p1";
    p.set("child_id", "c1", kServer);
    p.set("household_id", "h1", kServer);
    records.push_back(p);
    protocol::PullResponse page;
    page.records = std::move(records);
    page.cursor = 1;
    page.scopes = {"placement:p1", "directory"};
    replica_->apply_pull(page);
  }
  static model::Record person(const std::string& id, const std::string& name, const std::string& role,
                              const std::string& team) {
    model::Record rec;
    rec.collection = col::kPeople;
    rec.id = id;
    rec.scope = "directory";
    rec.set("name", name, kServer);
    rec.set("role", role, kServer);
    if (!team.empty()) rec.set("team", team, kServer);
    return rec;
  }
  std::string resolved(const std::string& text) {
    auto who = resolve_person(*replica_, "--owner", text);
    if (auto* bad = std::get_if<intents::InvalidRequest>(&who)) return "exit " + std::to_string(bad->exit_code);
    return std::get<std::string>(who);
  }
  std::string refusal(const std::string& text) {
    auto who = resolve_person(*replica_, "--owner", text);
    auto* bad = std::get_if<intents::InvalidRequest>(&who);
    return bad ? bad->message : "";
  }

  psm::testing::TempDir dir_;
  std::unique_ptr<Replica> replica_;
};

TEST_F(PeopleTest, ResolvePerson_ByWholeName_IgnoringCaseAndSpaces) {
  EXPECT_EQ(resolved("Mrs J. Smith"), "ssw-1");
  EXPECT_EQ(resolved("  mrs j.  smith "), "ssw-1");
}

TEST_F(PeopleTest, ResolvePerson_ById_KeepsWorking) { EXPECT_EQ(resolved("carer-okafor"), "carer-okafor"); }

TEST_F(PeopleTest, ResolvePerson_ByUniquePartOfTheName) { EXPECT_EQ(resolved("okafor"), "carer-okafor"); }

TEST_F(PeopleTest, ResolvePerson_WhenAmbiguous_ExitsTwoListingTheCandidatesByNameAndRole) {
  EXPECT_EQ(resolved("Smith"), "exit 2");
  const auto message = refusal("Smith");
  EXPECT_NE(message.find("Mrs J. Smith (supervising social worker, Fostering North)"), std::string::npos) << message;
  EXPECT_NE(message.find("Mr P. Smith (IRO)"), std::string::npos) << message;
  EXPECT_EQ(message.find("iro-1"), std::string::npos) << "names, not ids: " << message;
}

TEST_F(PeopleTest, ResolvePerson_WhenUnknown_SaysWhoIsNotKnown_WithTheSearchHint) {
  EXPECT_EQ(resolved("Mr R. Okafor"), "exit 2");
  const auto message = refusal("Mr R. Okafor");
  EXPECT_NE(message.find("no one called \"Mr R. Okafor\" is known"), std::string::npos) << message;
  EXPECT_NE(message.find("psm people --search Okafor"), std::string::npos) << message;
  EXPECT_EQ(message.find("needs an owner"), std::string::npos) << message;
}

TEST_F(PeopleTest, ResolvePerson_Empty_StaysEmptyForTheRulesToRefuse) { EXPECT_EQ(resolved(""), ""); }

TEST_F(PeopleTest, PeopleListing_FiltersByRoleAndSearch_WithRoleInWordsAndTeam) {
  EXPECT_EQ(people_json(*replica_).size(), 4U);
  const auto smiths = people_json(*replica_, {}, "smith");
  ASSERT_EQ(smiths.size(), 2U);
  const auto iros = people_json(*replica_, "iro", "smith");
  ASSERT_EQ(iros.size(), 1U);
  EXPECT_EQ(iros[0].at("name"), "Mr P. Smith");
  EXPECT_EQ(iros[0].at("role_words"), "IRO");
  const auto shah = people_json(*replica_, "child-social-worker");
  ASSERT_EQ(shah.size(), 1U);
  EXPECT_EQ(shah[0].at("team"), "Family Safeguarding");
  EXPECT_EQ(shah[0].at("role_words"), "child social worker");
}

TEST_F(PeopleTest, ResolveInvitation_ByTheInviteesNameWithinTheMeeting) {
  // As a sync brings them: the meeting and its invitations, one of a person, one by name.
  model::Record m;
  m.collection = col::kMeetings;
  m.id = "m1";
  m.scope = "placement:p1";
  m.set("placement_id", "p1", kServer);
  auto invitation = [&](const std::string& id, const std::string& person_id, const std::string& name,
                        const std::string& organisation) {
    model::Record inv;
    inv.collection = col::kInvitations;
    inv.id = id;
    inv.scope = "placement:p1";
    inv.set("meeting_id", "m1", kServer);
    if (!person_id.empty()) inv.set("person_id", person_id, kServer);
    if (!name.empty()) inv.set("name", name, kServer);
    if (!organisation.empty()) inv.set("organisation", organisation, kServer);
    return inv;
  };
  protocol::PullResponse page;
  page.records = {m, invitation("i1", "csw-shah", "", ""), invitation("i2", "", "Mr T. Jones", "school")};
  page.cursor = 2;
  page.scopes = {"placement:p1", "directory"};
  replica_->apply_pull(page);
  auto by_person = resolve_invitation(*replica_, "m1", "ms r. shah");
  ASSERT_TRUE(std::holds_alternative<std::string>(by_person));
  EXPECT_EQ(std::get<std::string>(by_person), "i1");
  auto by_name = resolve_invitation(*replica_, "m1", "Jones");
  ASSERT_TRUE(std::holds_alternative<std::string>(by_name));
  EXPECT_EQ(std::get<std::string>(by_name), "i2");
  auto by_id = resolve_invitation(*replica_, "m1", "i2");
  ASSERT_TRUE(std::holds_alternative<std::string>(by_id));
  auto unknown = resolve_invitation(*replica_, "m1", "Mrs Q. Nobody");
  ASSERT_TRUE(std::holds_alternative<intents::InvalidRequest>(unknown));
  EXPECT_EQ(std::get<intents::InvalidRequest>(unknown).exit_code, kExitUsage);
  EXPECT_NE(std::get<intents::InvalidRequest>(unknown).message.find("Mr T. Jones (school)"), std::string::npos);
}

TEST_F(PeopleTest, DateInWords_SaysTheMonth_AndLeavesNonDatesAlone) {
  EXPECT_EQ(date_in_words("2027-01-15"), "15 January 2027");
  EXPECT_EQ(date_in_words("15/01/2027"), "15/01/2027");
}

TEST_F(PeopleTest, CheckDate_RefusesOtherFormsWithExitTwoNamingTheOption) {
  EXPECT_FALSE(intents::check_date("--due", "2027-01-15"));
  auto bad = intents::check_date("--due", "15/01/2027");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->exit_code, kExitUsage);
  EXPECT_NE(bad->message.find("--due must be a date written YYYY-MM-DD"), std::string::npos) << bad->message;
}

}  // namespace
}  // namespace psm::client::views
