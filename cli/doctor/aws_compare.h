#pragma once
// `gwctl doctor --aws FILE...`: the config against what AWS says about the connection (the same
// files `gwctl import aws` reads). Catches the mismatches AWS only shows as a DOWN tunnel: a
// tunnel not configured, a different PSK or inside CIDR, a BGP connection run as static, an IKE
// identity that is not AWS's customer gateway address, or no proposal AWS allows.
#include <vector>

#include "cli/doctor/check.h"
#include "cli/import/aws_connection.h"
#include "controller/config/config.h"

namespace xgw::doctor {

std::vector<Check> compare_with_aws(const config::Config& cfg, const import::AwsConnection& aws);

}  // namespace xgw::doctor
