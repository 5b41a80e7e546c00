#pragma once
// Shared by the unit tests: the default schema, loaded once.

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "src/schema.hpp"

namespace kintone_emulator::test {

inline const schema& default_schema() {
  static const schema s = [] {
    auto loaded = load_schema_file(KINTONE_EMULATOR_DEFAULT_SCHEMA);
    if (!loaded) throw std::runtime_error(loaded.error());
    return std::move(loaded).value();
  }();
  return s;
}

inline const app_def& customers() { return *default_schema().app(1); }

}  // namespace kintone_emulator::test
