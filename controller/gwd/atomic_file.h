#pragma once
// Replacing a file so that a reader (or a crash) sees either the old or the new contents,
// never a mix or an empty file: temporary file beside it, fsync, rename.
#include <string>
#include <sys/types.h>

namespace xgw::gwd {

// Throws std::runtime_error naming the step and the path.
void write_file_atomic(const std::string& path, const std::string& text, mode_t mode);

}  // namespace xgw::gwd
