// Every builder of records writes fields its readers read back: the shared
// builders (common/ops/records.hpp), the conflict builder (common/merge) and
// the calendar setting (common/policy/working_days.hpp).
#include "common/ops/records.hpp"

#include "common/merge/merge.hpp"
#include "common/ops/operation.hpp"
#include "common/policy/permissions.hpp"
#include "common/policy/working_days.hpp"

#include <gtest/gtest.h>

#include <set>
#include <variant>

namespace psm::ops {
namespace {

using model::Record;
namespace schema = model::schema;

const model::Version kVersion{model::Hlc::from(5, 1), "device-1"};

Record placement() {
  Record p;
  p.collection = std::string(schema::placements::kName);
  p.id = "p1";
  p.scope = model::scope::placement("p1");
  p.set(schema::placements::child_id, std::string("c1"), kVersion);
  p.set(schema::placements::household_id, std::string("h1"), kVersion);
  p.set(schema::placements::team_manager_id, std::string("ftm-1"), kVersion);
  return p;
}

TEST(Records, MeetingRequest_ReadsBackThroughTheSchema) {
  MeetingRequest request{
      "m1", "placement:p1", model::MeetingType::pre_disruption, "Carers asked for help", "ssw-1", 1000, 900, 5000};
  const Record m = make_meeting_request(placement(), request, kVersion, "ssw-1");
  namespace f = schema::meetings;
  EXPECT_EQ(m.collection, "meetings");
  EXPECT_EQ(m.id, "m1");
  EXPECT_EQ(m.scope, "placement:p1");
  EXPECT_EQ(m.value(f::placement_id), "p1");
  EXPECT_EQ(m.value(f::child_id), "c1");
  EXPECT_EQ(m.value(f::household_id), "h1");
  EXPECT_EQ(m.get(f::type), model::MeetingType::pre_disruption);
  EXPECT_EQ(m.get(f::status), model::MeetingStatus::requested);
  EXPECT_EQ(m.value(f::reason), "Carers asked for help");
  EXPECT_EQ(m.value(f::requested_by), "ssw-1");
  EXPECT_EQ(m.get(f::requested_at_ms), 1000u);
  EXPECT_EQ(m.get(f::identified_at_ms), 900u);
  EXPECT_EQ(m.get(f::deadline_ms), 5000u);
  EXPECT_EQ(m.value(f::chair_id), "ftm-1");  // R4: the placement's team manager chairs
  EXPECT_EQ(m.fields.size(), 11u);
  for (const auto& [name, value] : m.fields) {
    EXPECT_EQ(value.version, kVersion) << name;
    EXPECT_EQ(value.author, "ssw-1") << name;
  }
}

TEST(Records, Notification_ReadsBackThroughTheSchema_ForEachThingItCanBeAbout) {
  using About = Notification::About;
  namespace f = schema::notifications;
  for (About about : {About::nothing, About::action, About::concern, About::panel_request}) {
    Notification n;
    n.id = "op-1.n1";
    n.recipient_id = "iro-1";
    n.kind = model::NotificationKind::lado_referral;
    n.meeting_id = "m1";
    n.placement_id = "p1";
    n.about = about;
    n.about_id = "x1";
    n.text = "Concern raised";
    n.created_at_ms = 42;
    const Record r = make_notification(n, kVersion, "system");
    EXPECT_EQ(r.collection, "notifications");
    EXPECT_EQ(r.scope, "person:iro-1");
    EXPECT_EQ(r.value(f::recipient_id), "iro-1");
    EXPECT_EQ(r.get(f::kind), model::NotificationKind::lado_referral);
    EXPECT_EQ(r.value(f::meeting_id), "m1");
    EXPECT_EQ(r.value(f::placement_id), "p1");
    EXPECT_EQ(r.value(f::text), "Concern raised");
    EXPECT_EQ(r.get(f::created_at_ms), 42u);
    EXPECT_EQ(r.get(f::action_id), about == About::action ? std::optional<std::string>("x1") : std::nullopt);
    EXPECT_EQ(r.get(f::concern_id), about == About::concern ? std::optional<std::string>("x1") : std::nullopt);
    EXPECT_EQ(r.get(f::request_id), about == About::panel_request ? std::optional<std::string>("x1") : std::nullopt);
  }
}

TEST(Records, Notification_WithoutMeetingOrPlacement_HasNeitherField) {
  Notification n;
  n.id = "a1.esc1.ssw-1";
  n.recipient_id = "ssw-1";
  n.kind = model::NotificationKind::action_overdue;
  const Record r = make_notification(n, kVersion, "system");
  EXPECT_FALSE(r.get(schema::notifications::meeting_id));
  EXPECT_FALSE(r.get(schema::notifications::placement_id));
  EXPECT_EQ(r.spelling(schema::notifications::kind), "action-overdue");
}

TEST(Records, Conflict_ReadsBackThroughTheSchema) {
  Record action;
  action.collection = "actions";
  action.id = "a1";
  action.scope = "placement:p1";
  const model::FieldValue kept{"done", {model::Hlc::from(7, 0), "d2"}, "p2"};
  const model::FieldValue other{"cancelled", kVersion, "p1"};
  const Record c = merge::make_conflict(action, "status", kept, other, {kVersion, "p1", 99, "op-9"});
  namespace f = schema::conflicts;
  EXPECT_EQ(c.id, "op-9.status");
  EXPECT_EQ(c.value(f::target_collection), "actions");
  EXPECT_EQ(c.value(f::target_id), "a1");
  EXPECT_EQ(c.value(f::field), "status");
  EXPECT_EQ(c.get(f::status), model::ConflictStatus::open);
  EXPECT_EQ(c.value(f::kept_value), "done");
  EXPECT_EQ(c.value(f::kept_author), "p2");
  EXPECT_EQ(c.value(f::kept_device), "d2");
  EXPECT_EQ(c.get(f::kept_hlc), kept.version.hlc.value);
  EXPECT_EQ(c.value(f::other_value), "cancelled");
  EXPECT_EQ(c.value(f::other_author), "p1");
  EXPECT_EQ(c.value(f::other_device), "device-1");
  EXPECT_EQ(c.get(f::other_hlc), kVersion.hlc.value);
  EXPECT_EQ(c.get(f::detected_at_ms), 99u);
}

TEST(Records, CalendarSetting_ReadsBackThroughTheSchema) {
  const auto& calendar = policy::default_calendar();
  const Record s = policy::make_calendar_setting(calendar, kVersion, "server");
  EXPECT_EQ(s.get(schema::settings::version), static_cast<std::uint64_t>(calendar.version()));
  EXPECT_EQ(s.value(schema::settings::calendar), calendar.to_json());
}

TEST(Permissions, EveryRow_BelongsToAnOperationKind) {
  std::set<std::string_view> kinds;
  [&]<std::size_t... I>(std::index_sequence<I...>) { (kinds.insert(kind_name(Payload{std::in_place_index<I>})), ...); }
  (std::make_index_sequence<std::variant_size_v<Payload>>{});
  std::set<std::string_view> covered;
  for (const auto& row : policy::permissions()) {
    EXPECT_TRUE(kinds.contains(row.what)) << row.what;
    covered.insert(row.what);
  }
  // Every kind has at least one row: no operation goes unchecked.
  EXPECT_EQ(covered, kinds);
}

}  // namespace
}  // namespace psm::ops
