// record-csw-report (S1 3.3): "a written report should be provided to the
// chair by the Child's Social Worker prior to the meeting", or, when there is
// no time, their briefing of the chair. Recorded by the child's social worker
// (or a manager for them) before the meeting is held. Professionals-only: the
// policies share it with the chair, not the carers. Append-only: a correction
// is a new report. Writes the report.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RecordCswReport& p) {
  if (!id_ok(p.report_id) || !id_ok(p.meeting_id)) return bad("report or meeting id is not valid");
  if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("the report is empty or too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordCswReport& p) {
  namespace f = schema::csw_reports;
  namespace m_ = schema::meetings;
  auto meeting = cx.visible(m_::kName, p.meeting_id);
  if (!meeting) return cx.not_found(m_::kCollection, p.meeting_id);
  auto placement = cx.state().get(schema::placements::kName, meeting->value(m_::placement_id));
  auto child = placement ? cx.state().get(schema::children::kName, placement->value(schema::placements::child_id))
                         : std::nullopt;
  const bool csw = child && cx.me() == child->value(schema::children::social_worker_id);
  if (auto refused = cx.refuse_unless(policy::Act::record_csw_report, csw)) return *refused;
  const auto status = meeting->get(m_::status);
  if (status != model::MeetingStatus::requested && status != model::MeetingStatus::scheduled) {
    return reject(Errc::rule_violation, "the report is for the chair before the meeting, and the meeting is " +
                                            meeting->spelling(m_::status));
  }
  if (cx.state().get(f::kName, p.report_id)) return reject(Errc::already_exists, "report already recorded");
  Record r = cx.new_record(f::kName, p.report_id, meeting->scope);
  r.professionals_only = true;
  cx.set(r, f::meeting_id, p.meeting_id);
  cx.set(r, f::text, p.text);
  cx.set(r, f::author_id, cx.me());
  cx.set(r, f::at_ms, cx.now_ms());
  return accept({std::move(r)});
}

}  // namespace psm::ops::kinds
