#include "server/sync/reference_import.hpp"

#include "common/model/schema.hpp"

#include "store_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace psm::server {
namespace {

namespace col = model::collection;
namespace schema = model::schema;

// A small directory: one household, one child, and `placement` as its only
// placement's fields after its id.
std::string reference_with(const std::string& placement) {
  return R"({"people": [
      {"id": "ssw-1", "name": "Alex Morgan", "role": "supervising-social-worker"},
      {"id": "csw-1", "name": "Priya Shah", "role": "child-social-worker"},
      {"id": "ftm-1", "name": "Lee Walsh", "role": "fostering-team-manager"},
      {"id": "clatm-1", "name": "Kim Evans", "role": "cla-team-manager"},
      {"id": "sm-1", "name": "Dana Price", "role": "service-manager", "service": "fostering"},
      {"id": "sm-2", "name": "Robin Hale", "role": "service-manager", "service": "children"},
      {"id": "lado-1", "name": "Chris Doyle", "role": "lado"},
      {"id": "panel-1", "name": "Sasha Grant", "role": "panel-member"},
      {"id": "carer-1", "name": "Jo Okafor", "role": "foster-carer"}],
    "households": [{"id": "h1", "name": "The Okafor household", "carer_type": "foster", "carer_ids": ["carer-1"],
                    "ssw_id": "ssw-1"}],
    "children": [{"id": "c1", "name": "Amelia-Test-Child", "date_of_birth": "2013-05-02",
                  "social_worker_id": "csw-1"}],
    "placements": [{"id": "p1", "child_id": "c1", "household_id": "h1", "start_date": "2020-01-06", )" +
         placement + "}]}";
}

class ReferenceImportTest : public StoreFixture {
 protected:
  // What the import refused with, or "" when it imported.
  std::string refusal(const std::string& json) {
    auto imported = import_reference_data(*store_, json);
    return imported ? std::string() : imported.error().message;
  }
};

TEST_F(ReferenceImportTest, ImportedRecords_HoldTheDocumentsFieldsUnderTheirStoredNames) {
  ASSERT_EQ(refusal(reference_with(R"("type": "in-house", "team_manager_id": "ftm-1", "end_date": "2021-02-01",
                                      "ending": "planned")")),
            "");
  const auto p = store_->get(col::kPlacements, "p1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->get(schema::placements::type), model::PlacementType::in_house);
  EXPECT_EQ(p->get(schema::placements::ending), model::PlacementEnding::planned);
  EXPECT_EQ(p->value(schema::placements::end_date), "2021-02-01");
  EXPECT_EQ(p->scope, "placement:p1");
  const auto child = store_->get(col::kChildren, "c1");
  ASSERT_TRUE(child);
  EXPECT_EQ(child->value(schema::children::date_of_birth), "2013-05-02");
  // A carer's own person record goes to their household, not to the directory.
  EXPECT_EQ(store_->get(col::kPeople, "carer-1")->scope, "household:h1");
  EXPECT_EQ(store_->get(col::kPeople, "ssw-1")->scope, "directory");
}

TEST_F(ReferenceImportTest, Settings_ListWhoIsToldOfWhat_ByTheirRoleAndService) {
  ASSERT_EQ(refusal(reference_with(R"("type": "in-house", "team_manager_id": "ftm-1")")), "");
  auto ids = [&](const char* setting) {
    const auto s = store_->get(col::kSettings, setting);
    return s ? s->value(schema::settings::ids) : std::string("(none)");
  };
  EXPECT_EQ(ids("service-managers"), "sm-1,sm-2");
  EXPECT_EQ(ids("fostering-service-managers"), "sm-1");
  EXPECT_EQ(ids("lados"), "lado-1");
  EXPECT_EQ(ids("panel-members"), "panel-1");
}

TEST_F(ReferenceImportTest, R1_R4_TheTeamManager_MustBeTheOneForThePlacementsType) {
  EXPECT_EQ(refusal(reference_with(R"("type": "ifa", "team_manager_id": "ftm-1")")),
            "placements p1: team_manager_id must be a cla-team-manager for a ifa placement");
  EXPECT_EQ(refusal(reference_with(R"("type": "in-house", "team_manager_id": "clatm-1")")),
            "placements p1: team_manager_id must be a fostering-team-manager for a in-house placement");
  EXPECT_EQ(refusal(reference_with(R"("type": "kinship", "team_manager_id": "ftm-1")")),
            "placements p1: type must be in-house, ifa or independent");
  EXPECT_TRUE(store_->all_in(col::kPlacements).empty());
}

TEST_F(ReferenceImportTest, R14_AnEnding_GivenEvenEmpty_MustBePlannedOrUnplannedWithAnEndDate) {
  const std::string wanted = "placements p1: ending must be planned or unplanned, with an end_date";
  EXPECT_EQ(refusal(reference_with(R"("type": "ifa", "team_manager_id": "clatm-1", "ending": "planned")")), wanted);
  EXPECT_EQ(
      refusal(reference_with(R"("type": "ifa", "team_manager_id": "clatm-1", "end_date": "2021-02-01", "ending": "")")),
      wanted);
  EXPECT_EQ(refusal(reference_with(
                R"("type": "ifa", "team_manager_id": "clatm-1", "end_date": "2021-02-01", "ending": "agreed")")),
            wanted);
}

TEST_F(ReferenceImportTest, R2_AnEmergencyFlag_GivenEvenEmpty_MustBeYesOrNo_AndMadeAtOnlyWithYes) {
  EXPECT_EQ(refusal(reference_with(R"("type": "ifa", "team_manager_id": "clatm-1", "emergency": "")")),
            "placements p1: emergency must be yes or no");
  const std::string made_at = "placements p1: made_at is YYYY-MM-DDTHH:MM (UK time), for an emergency placement";
  EXPECT_EQ(refusal(reference_with(
                R"("type": "ifa", "team_manager_id": "clatm-1", "emergency": "no", "made_at": "2020-01-06T10:00")")),
            made_at);
  EXPECT_EQ(refusal(reference_with(R"("type": "ifa", "team_manager_id": "clatm-1", "made_at": "")")), made_at);
}

TEST_F(ReferenceImportTest, People_Households_Children_AreCheckedByTheirKindOfValue) {
  EXPECT_EQ(refusal(R"({"people": [{"id": "x1", "name": "X", "role": "boss"}]})"),
            "people x1: role must be one of " + model::spellings_of_role());
  EXPECT_EQ(refusal(R"({"people": [{"id": "ssw-1", "name": "S", "role": "supervising-social-worker"}],
      "households": [{"id": "h1", "name": "H", "carer_type": "kin", "carer_ids": [], "ssw_id": "ssw-1"}]})"),
            "households h1: unknown carer_type");
  EXPECT_EQ(refusal(R"({"people": [{"id": "csw-1", "name": "C", "role": "child-social-worker"}],
      "children": [{"id": "c1", "name": "Child", "date_of_birth": "", "social_worker_id": "csw-1"}]})"),
            "children c1: date_of_birth must be YYYY-MM-DD");
}

}  // namespace
}  // namespace psm::server
