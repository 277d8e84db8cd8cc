#include "ike/actions.h"

namespace xgw::ike {

std::string to_string(Reason r) {
  switch (r) {
    case Reason::kNone: return "none";
    case Reason::kNoReplyMM1: return "no_reply:MM1";
    case Reason::kNoReplyMM3: return "no_reply:MM3";
    case Reason::kNoValidReplyMM5: return "no_valid_reply:MM5";
    case Reason::kNoReplyQM1: return "no_reply:QM1";
    case Reason::kNoReplyQM2: return "no_reply:QM2";
    case Reason::kNotifyNoProposalChosen: return "notify:NO-PROPOSAL-CHOSEN";
    case Reason::kNotifyAuthenticationFailed: return "notify:AUTHENTICATION-FAILED";
    case Reason::kNotifyPayloadMalformed: return "notify:PAYLOAD-MALFORMED";
    case Reason::kNotifyInvalidIdInformation: return "notify:INVALID-ID-INFORMATION";
    case Reason::kNotifyOther: return "notify:other";
    case Reason::kAuthFailedHashMismatch: return "auth_failed:hash_mismatch";
    case Reason::kProposalMismatchMM1: return "proposal_mismatch:MM1";
    case Reason::kProposalMismatchQM1: return "proposal_mismatch:QM1";
    case Reason::kInvalidKe: return "invalid_ke";
    case Reason::kInvalidId: return "invalid_id";
    case Reason::kMalformed: return "malformed";
    case Reason::kHalfOpenLimit: return "half_open_limit";
    case Reason::kDpdDead: return "dpd_dead";
    case Reason::kPeerDelete: return "peer_delete";
    case Reason::kExpired: return "expired";
    case Reason::kLocalTerminate: return "local_terminate";
  }
  return "unknown";
}

std::string to_string(EventType t) {
  switch (t) {
    case EventType::kPhase1Up: return "phase1_up";
    case EventType::kPhase1Down: return "phase1_down";
    case EventType::kPhase2Up: return "phase2_up";
    case EventType::kPhase2Down: return "phase2_down";
    case EventType::kDpdDead: return "dpd_dead";
    case EventType::kPeerDelete: return "peer_delete";
    case EventType::kFailure: return "failure";
    case EventType::kKeysEstablished: return "keys_established";
    case EventType::kPhase1Duplicate: return "phase1_duplicate";
  }
  return "unknown";
}

}  // namespace xgw::ike
