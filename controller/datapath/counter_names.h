#pragma once
// Names of the datapath's counters (xgw_abi.h enums) as dp_tool, `gwctl stats` and the
// Prometheus metrics show them: lower case, no prefix, e.g. "in_esp", "not_peer", "steered".
#include "xgw_abi.h"

namespace xgw::datapath {

const char* tunnel_counter_name(xgw_tunnel_counter k);
const char* class_name(xgw_pkt_class c);
const char* drop_reason_name(xgw_drop_reason r);
const char* event_name(xgw_event e);

}  // namespace xgw::datapath
