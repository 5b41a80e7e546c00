#pragma once
// Rules that relate several values of a parsed config: duplicates, references between objects,
// column collisions, directions, and the warnings about risky but legal settings.

#include <vector>

#include "config/config.hpp"
#include "config/config_loader.hpp"
#include "config/source_map.hpp"

namespace ks::config {

// Appends every problem found to `problems`. Resolves each field's `references` to the
// referenced mapping's `object` (it may be given as a table name). Values left empty by
// reading errors are skipped, so one mistake is reported once.
void validate_config(config& c, const source_map& where, std::vector<problem>& problems);

}  // namespace ks::config
