#pragma once
// Parsing of `kizen-sync <command> [options]` into a plain struct, and the help texts.
// Pure: no I/O, so every usage error is unit-tested.

#include <optional>
#include <string>
#include <vector>

namespace ks::cli {

enum class command_kind { help, version, run, migrate, check, status, replay, resync };
enum class resync_direction { to_kizen, from_kizen };

struct command_line {
  command_kind command = command_kind::help;
  bool help = false;                          // `--help` given for `command`
  std::string config_path;                    // -c/--config
  bool online = false;                        // check --online
  bool json = false;                          // status --json
  std::optional<std::string> object;          // replay/resync --object
  bool replay_all = false;                    // replay --all
  std::vector<long long> change_ids;          // replay --change ID (repeatable)
  bool skip = false;                          // replay --skip (mark done unsent instead of requeueing)
  bool inbound = false;                       // replay --inbound (the inbound failure list)
  std::vector<std::string> record_ids;        // replay --inbound --record ID (repeatable; lower-case UUIDs)
  std::optional<resync_direction> direction;  // resync --direction
  bool restart = false;                       // resync --restart (ignore saved progress)
};

struct usage_error {
  std::string message;  // what was wrong, e.g. "unknown option '--jsn' for status"
  std::string command;  // the command it concerns ("" when none), for "see kizen-sync <command> --help"
};

// argv without the program name. On error, a usage_error (exit code 2).
struct parse_outcome {
  std::optional<command_line> line;
  std::optional<usage_error> error;
};
parse_outcome parse_command_line(const std::vector<std::string>& args);

// Help texts: the overview for no command, else the command's own page.
std::string help_text(command_kind command);
const char* command_name(command_kind command);

}  // namespace ks::cli
