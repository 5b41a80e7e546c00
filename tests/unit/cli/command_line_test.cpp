#include "daemon/cli/command_line.hpp"

#include <gtest/gtest.h>

using namespace ks::cli;

namespace {

command_line parse_ok(std::vector<std::string> args) {
  auto r = parse_command_line(args);
  EXPECT_FALSE(r.error) << r.error->message;
  return r.line.value_or(command_line{});
}

std::string parse_error(std::vector<std::string> args) {
  auto r = parse_command_line(args);
  EXPECT_TRUE(r.error.has_value());
  return r.error ? r.error->message : "";
}

}  // namespace

TEST(command_line, run_with_config) {
  auto l = parse_ok({"run", "-c", "sync.yaml"});
  EXPECT_EQ(l.command, command_kind::run);
  EXPECT_EQ(l.config_path, "sync.yaml");
  EXPECT_FALSE(l.help);
}

TEST(command_line, long_option_with_equals) {
  auto l = parse_ok({"check", "--config=sync.yaml", "--online"});
  EXPECT_EQ(l.command, command_kind::check);
  EXPECT_EQ(l.config_path, "sync.yaml");
  EXPECT_TRUE(l.online);
}

TEST(command_line, help_needs_no_config) {
  for (const char* cmd : {"run", "migrate", "check", "status", "replay", "resync"}) {
    auto l = parse_ok({cmd, "--help"});
    EXPECT_TRUE(l.help) << cmd;
    EXPECT_NE(help_text(l.command).find("Usage: kizen-sync " + std::string(cmd)), std::string::npos);
  }
  EXPECT_EQ(parse_ok({"--help"}).command, command_kind::help);
  auto topic = parse_ok({"help", "status"});
  EXPECT_EQ(topic.command, command_kind::status);
  EXPECT_TRUE(topic.help);
}

TEST(command_line, overview_lists_every_command) {
  const auto text = help_text(command_kind::help);
  for (const char* cmd : {"run", "migrate", "check", "status", "replay", "resync"})
    EXPECT_NE(text.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
}

TEST(command_line, missing_config_is_a_usage_error) {
  EXPECT_EQ(parse_error({"run"}), "run needs -c FILE (the config file)");
  EXPECT_EQ(parse_error({"status", "-c"}), "option '-c' needs a value");
}

TEST(command_line, unknown_things_are_named) {
  EXPECT_EQ(parse_error({}), "no command given");
  EXPECT_EQ(parse_error({"sync"}), "unknown command 'sync'");
  EXPECT_EQ(parse_error({"status", "-c", "f", "--jsn"}), "unknown option '--jsn' for status");
  EXPECT_EQ(parse_error({"run", "-c", "f", "--online"}), "unknown option '--online' for run");
  EXPECT_EQ(parse_error({"run", "-c", "f", "extra"}), "unexpected argument 'extra'");
  EXPECT_EQ(parse_error({"status", "-c", "f", "--json=yes"}), "option '--json' takes no value");
}

TEST(command_line, replay_needs_exactly_one_selection) {
  EXPECT_EQ(parse_error({"replay", "-c", "f"}), "replay needs either --all or --change ID (not both)");
  EXPECT_EQ(parse_error({"replay", "-c", "f", "--all", "--change", "3"}),
            "replay needs either --all or --change ID (not both)");
  EXPECT_EQ(parse_error({"replay", "-c", "f", "--change", "x3"}), "--change needs a positive outbox id, got 'x3'");
  auto l = parse_ok({"replay", "-c", "f", "--change", "3", "--change", "7", "--object", "deals"});
  EXPECT_EQ(l.change_ids, (std::vector<long long>{3, 7}));
  EXPECT_EQ(l.object, "deals");
  EXPECT_FALSE(l.skip);
}

TEST(command_line, replay_skip_is_a_flag_of_replay_only) {
  auto l = parse_ok({"replay", "-c", "f", "--skip", "--change", "3"});
  EXPECT_TRUE(l.skip);
  EXPECT_EQ(l.change_ids, (std::vector<long long>{3}));
  EXPECT_EQ(parse_error({"replay", "-c", "f", "--skip"}), "replay needs either --all or --change ID (not both)");
  EXPECT_EQ(parse_error({"resync", "-c", "f", "--skip"}), "unknown option '--skip' for resync");
  EXPECT_EQ(parse_error({"replay", "-c", "f", "--all", "--skip=yes"}), "option '--skip' takes no value");
}

TEST(command_line, resync_needs_object_and_direction) {
  EXPECT_EQ(parse_error({"resync", "-c", "f", "--direction", "to_kizen"}), "resync needs --object OBJECT");
  EXPECT_EQ(parse_error({"resync", "-c", "f", "--object", "deals"}), "resync needs --direction to_kizen|from_kizen");
  EXPECT_EQ(parse_error({"resync", "-c", "f", "--object", "deals", "--direction", "up"}),
            "--direction must be to_kizen or from_kizen, got 'up'");
  auto l = parse_ok({"resync", "-c", "f", "--object", "deals", "--direction", "from_kizen", "--restart"});
  EXPECT_EQ(l.direction, resync_direction::from_kizen);
  EXPECT_TRUE(l.restart);
}
